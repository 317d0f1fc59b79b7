import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

type View = { id: string; status: string; createdAt: string; finishedAt: string | null };

describe('searching tasks', () => {
  let engine: TestEngine;
  const acme = { 'x-api-key': 'acme-key' };
  const globex = { 'x-api-key': 'globex-key' };
  const ids: Record<string, string> = {};
  const views: Record<string, View> = {};

  const enqueue = async (headers: Record<string, string>, json: Record<string, unknown>) => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', headers, json });
    expect(r.status).toBe(202);
    return r.body.id as string;
  };
  const get = (path: string, headers: Record<string, string> = acme) => http(`${engine.url}${path}`, { headers });
  const found = async (query: string, headers = acme) => {
    const r = await get(`/v1/tasks?limit=500&${query}`, headers);
    expect(r.status).toBe(200);
    return r.body.items as View[];
  };
  /** The names of the tasks a query finds, sorted; fails on a task of another test. */
  const names = async (query: string) => {
    const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
    return (await found(query)).map((t) => byId[t.id] ?? `unknown ${t.id}`).sort();
  };
  const countOf = async (query: string, headers = acme) => {
    const r = await get(`/v1/tasks/count?${query}`, headers);
    expect(r.status).toBe(200);
    return r.body.count as number;
  };

  beforeAll(async () => {
    engine = await startEngine({
      label: 'search',
      handlers: [TestHandlers],
      config: { apiKeys: { 'acme-key': 'acme', 'globex-key': 'globex', 'pager-key': 'pager' } },
    });
    ids.nested = await enqueue(acme, {
      type: 'test.echo',
      payload: { accountId: 42, a: { b: 'x' } },
      labels: { env: 'prod', team: 'core' },
    });
    ids.text42 = await enqueue(acme, { type: 'test.echo', payload: { accountId: '42' }, labels: { env: 'staging' } });
    ids.seven = await enqueue(acme, { type: 'test.echo', payload: { accountId: 7, flag: true }, labels: { env: 'prod' } });
    ids.failed = await enqueue(acme, {
      type: 'test.fail',
      payload: { accountId: 42, message: 'boom' },
      maxAttempts: 1,
      labels: { env: 'prod' },
    });
    ids.noop = await enqueue(acme, { type: 'test.noop', payload: { flag: 'true' } });
    ids.later = await enqueue(acme, { type: 'test.echo', payload: { accountId: 42 }, delayMs: 3_600_000 });
    ids.cancelled = await enqueue(acme, { type: 'test.echo', payload: { accountId: 8 }, delayMs: 3_600_000 });
    // Cancel reads the task from the read model: it must be projected first.
    await waitFor(async () => (await get(`/v1/tasks/${ids.cancelled}`)).body.status === 'scheduled', { what: 'the task to cancel' });
    const cancel = await http(`${engine.url}/v1/tasks/${ids.cancelled}/cancel`, { method: 'POST', headers: acme, json: {} });
    expect(cancel.status).toBe(202);
    await enqueue(globex, { type: 'test.echo', payload: { accountId: 42 }, labels: { env: 'prod' } });

    const expected: Record<string, string> = {
      nested: 'completed',
      text42: 'completed',
      seven: 'completed',
      failed: 'failed',
      noop: 'completed',
      later: 'scheduled',
      cancelled: 'cancelled',
    };
    for (const [name, status] of Object.entries(expected)) {
      views[name] = await waitFor(
        async () => {
          const t = (await get(`/v1/tasks/${ids[name]}`)).body as View;
          return t.status === status ? t : null;
        },
        { what: `${name} to be ${status}` },
      );
    }
  }, 60000);
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('filters on several statuses, comma-separated or repeated', async () => {
    expect(await names('status=failed,cancelled')).toEqual(['cancelled', 'failed']);
    expect(await names('status=failed&status=cancelled')).toEqual(['cancelled', 'failed']);
    expect(await names('status=scheduled')).toEqual(['later']);
  });

  it('filters on type', async () => {
    expect(await names('type=test.fail')).toEqual(['failed']);
    expect(await names('type=test.noop,test.fail')).toEqual(['failed', 'noop']);
  });

  it('filters on labels: key:value pairs all match, and label.<key>=', async () => {
    expect(await names('label=env:prod')).toEqual(['failed', 'nested', 'seven']);
    expect(await names('label=env:prod&label=team:core')).toEqual(['nested']);
    expect(await names('label.env=staging')).toEqual(['text42']);
  });

  it('filters on payload equality: a number also matches its text, nested paths, booleans', async () => {
    expect(await names('payload.accountId=42')).toEqual(['failed', 'later', 'nested', 'text42']);
    expect(await names('payload.accountId=7')).toEqual(['seven']);
    expect(await names('payload.a.b=x')).toEqual(['nested']);
    expect(await names('payload.a.b=y')).toEqual([]);
    expect(await names('payload.flag=true')).toEqual(['noop', 'seven']);
    expect(await names('payload.accountId=42&status=completed&label=env:prod')).toEqual(['nested']);
  });

  it('filters on created time ranges, from inclusive and to exclusive', async () => {
    const all = Object.keys(views);
    const times = all.map((n) => views[n].createdAt).sort();
    const from = times[2];
    const to = times[5];
    const expected = all.filter((n) => views[n].createdAt >= from && views[n].createdAt < to).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(await names(`createdFrom=${from}&createdTo=${to}`)).toEqual(expected);
    expect(await names(`createdFrom=${encodeURIComponent(plusHours(from, 1))}`)).toEqual([]);
  });

  it('filters on finished time ranges, and sorts by finish time both ways over finished tasks only', async () => {
    const finished = Object.keys(views).filter((n) => views[n].finishedAt);
    expect(finished.sort()).toEqual(['cancelled', 'failed', 'nested', 'noop', 'seven', 'text42']);
    const key = (t: View) => `${t.finishedAt}|${t.id}`;
    const asc = await found('sort=finishedAt&order=asc');
    expect(asc.map((t) => t.id).sort()).toEqual(finished.map((n) => ids[n]).sort());
    expect(asc.map(key)).toEqual(asc.map(key).sort());
    const desc = await found('sort=finishedAt&order=desc');
    expect(desc.map((t) => t.id)).toEqual(asc.map((t) => t.id).reverse());

    const times = finished.map((n) => views[n].finishedAt!).sort();
    const from = times[1];
    const to = times[times.length - 1];
    const expected = finished.filter((n) => views[n].finishedAt! >= from && views[n].finishedAt! < to).sort();
    expect(await names(`finishedFrom=${from}&finishedTo=${to}`)).toEqual(expected);
  });

  it('sorts by creation time, newest first by default and oldest first when asked', async () => {
    const desc = await found('');
    const asc = await found('order=asc');
    const key = (t: View) => `${t.createdAt}|${t.id}`;
    expect(desc.map(key)).toEqual(desc.map(key).sort().reverse());
    expect(asc.map((t) => t.id)).toEqual(desc.map((t) => t.id).reverse());
    expect(asc).toHaveLength(7);
  });

  it('counts what the list finds, for every filter', async () => {
    for (const q of [
      '',
      'status=failed,cancelled',
      'type=test.echo',
      'label=env:prod',
      'payload.accountId=42',
      'payload.a.b=x',
      `createdFrom=${views.seven.createdAt}`,
      `finishedTo=${views.noop.finishedAt}`,
    ]) {
      expect({ q, count: await countOf(q) }).toEqual({ q, count: (await found(q)).length });
    }
  });

  it("keeps tenants apart: another tenant's tasks are neither listed nor counted", async () => {
    const theirs = await found('payload.accountId=42', globex);
    expect(theirs).toHaveLength(1);
    expect(Object.values(ids)).not.toContain(theirs[0].id);
    expect(await countOf('', globex)).toBe(1);
    expect(await countOf('label=env:prod')).toBe(3);
  });

  it.each([
    ['status=done', 'status'],
    ['type=a&sort=priority', 'sort'],
    ['createdFrom=yesterday', 'createdFrom'],
    ['finishedTo=2026-01-01T00:00:00', 'finishedTo'],
    ['payload.a..b=1', 'payload.a..b'],
    ['payload.x=1&payload.x=2', 'payload.x'],
    ['label=novalue', 'label'],
    ['order=sideways', 'order'],
    ['limit=0', 'limit'],
    ['stauts=failed', 'stauts'],
  ])('answers %s with 400 problem+json naming %s, on the list and the count', async (query, name) => {
    for (const path of ['/v1/tasks', '/v1/tasks/count']) {
      const r = await get(`${path}?${query}`);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.detail).toContain(name);
    }
  });

  it('refuses a cursor it did not hand out, and one made for another sort order', async () => {
    const bad = await get('/v1/tasks?cursor=bm90LWEtY3Vyc29y');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/cursor/);
    const first = await get('/v1/tasks?limit=2');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const r = await get(`/v1/tasks?limit=2&order=asc&cursor=${first.body.nextCursor}`);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/cursor/);
  });

  describe('when tasks are enqueued while someone pages through', () => {
    const pager = { 'x-api-key': 'pager-key' };
    const total = () => countOf('', pager);

    it.each(['desc', 'asc'])(
      'neither skips nor repeats a task that existed at the start (order=%s)',
      async (order) => {
        const before = await total();
        for (let i = 0; i < 40; i++) await enqueue(pager, { type: 'test.noop', payload: { i, order } });
        await waitFor(async () => (await total()) === before + 40, { what: 'the 40 tasks to be projected' });
        const existing = (await found('', pager)).map((t) => t.id);
        expect(existing).toHaveLength(before + 40);

        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const r = await get(`/v1/tasks?order=${order}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, pager);
          expect(r.status).toBe(200);
          seen.push(...(r.body.items as View[]).map((t) => t.id));
          cursor = r.body.nextCursor;
          // Another task lands in the table between every two pages of the first ten.
          if (cursor && ++pages <= 10) {
            const n = await total();
            await enqueue(pager, { type: 'test.noop', payload: { during: pages, order } });
            await waitFor(async () => (await total()) > n, { what: 'the task enqueued between pages to be projected' });
          }
        } while (cursor);

        expect(new Set(seen).size).toBe(seen.length);
        expect(existing.filter((id) => !seen.includes(id))).toEqual([]);
        expect(await total()).toBeGreaterThanOrEqual(existing.length + Math.min(pages, 10));
      },
      60000,
    );
  });
});

function plusHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString();
}
