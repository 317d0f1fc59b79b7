import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('GET /v1/stats as tasks run', () => {
  let engine: TestEngine;
  let handlers: TestHandlers;

  beforeAll(async () => {
    // One slot, so tasks can be held queued behind a gated one.
    engine = await startEngine({ label: 'stats', handlers: [TestHandlers], config: { concurrency: 1 } });
    handlers = engine.app.get(TestHandlers);
  });
  afterAll(async () => {
    handlers?.openGate();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const stats = async () => {
    const r = await http(`${engine.url}/v1/stats`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const enqueue = async (json: Record<string, unknown>) => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json });
    expect(r.status).toBe(202);
    return r.body.id as string;
  };
  const ended = (id: string, status: string) =>
    waitFor(async () => (await http(`${engine.url}/v1/tasks/${id}`)).body.status === status, { what: `task ${id} to be ${status}` });

  it('starts empty', async () => {
    const s = await stats();
    expect(s.byStatus).toEqual({});
    expect(s.successRate).toBeNull();
    expect(s.windows['5m']).toMatchObject({ finished: 0, completed: 0, throughputPerSec: 0, successRate: null });
    expect(s.lanes.normal).toMatchObject({ depth: 0, byPriority: {} });
  });

  it('counts outcomes by status and type, with rates, durations, throughput and retries per window', async () => {
    const done = [];
    for (let i = 0; i < 3; i++) done.push(await enqueue({ type: 'test.slow', payload: { ms: 30 } }));
    const failing = await enqueue({ type: 'test.fail', maxAttempts: 2, backoff: { type: 'fixed', delayMs: 10 } });
    for (const id of done) await ended(id, 'completed');
    await ended(failing, 'failed');

    const s = await stats();
    expect(s.byStatus).toEqual({ completed: 3, failed: 1 });
    expect(s.byType).toEqual({ 'test.slow': { completed: 3 }, 'test.fail': { failed: 1 } });
    expect(s.successRate).toBe(0.75);
    expect(s.failureRate).toBe(0.25);
    for (const w of ['5m', '1h', '24h']) {
      expect(s.windows[w]).toMatchObject({ finished: 4, completed: 3, failed: 1, retries: 1, successRate: 0.75, failureRate: 0.25 });
    }
    expect(s.windows['5m'].throughputPerSec).toBe(0.01);
    const slow = s.windows['5m'].byType['test.slow'];
    expect(slow).toMatchObject({ completed: 3, retries: 0 });
    expect(slow.p50Ms).toBeGreaterThanOrEqual(30);
    expect(slow.p95Ms).toBeGreaterThanOrEqual(slow.p50Ms);
    expect(s.windows['1h'].byType['test.fail']).toMatchObject({ failed: 1, retries: 1 });
  });

  it('shows queue depth per lane and priority while tasks wait, and the workers lag per lane', async () => {
    handlers.closeGate();
    const blocker = await enqueue({ type: 'test.gated' });
    await ended(blocker, 'running');
    const waiting = [
      await enqueue({ type: 'test.noop', priority: 9 }),
      await enqueue({ type: 'test.noop', priority: 9 }),
      await enqueue({ type: 'test.noop', priority: 2 }),
    ];
    const s = await waitFor(
      async () => {
        const now = await stats();
        return now.lanes.high.depth === 2 && now.lanes.low.depth === 1 ? now : null;
      },
      { what: 'the waiting tasks to show in their lanes' },
    );
    expect(s.lanes.high.byPriority).toEqual({ '9': 2 });
    expect(s.lanes.low.byPriority).toEqual({ '2': 1 });
    expect(s.lanes.normal.depth).toBe(0);
    expect(s.byStatus).toMatchObject({ running: 1, queued: 3 });
    for (const lane of ['high', 'normal', 'low']) expect(s.lanes[lane].kafkaLag).toEqual(expect.any(Number));

    handlers.openGate();
    for (const id of waiting) await ended(id, 'completed');
    const after = await waitFor(async () => {
      const now = await stats();
      return now.lanes.high.depth === 0 && now.lanes.low.depth === 0 ? now : null;
    });
    expect(after.byStatus).toEqual({ completed: 7, failed: 1 });
  });
});

describe('GET /v1/stats with two tenants', () => {
  let engine: TestEngine;
  const acme = { authorization: 'Bearer acme-key' };
  const globex = { 'x-api-key': 'globex-key' };

  beforeAll(async () => {
    engine = await startEngine({
      label: 'stats_tenants',
      handlers: [TestHandlers],
      config: { apiKeys: { 'acme-key': 'acme', 'globex-key': 'globex' } },
    });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const enqueue = async (headers: Record<string, string>, json: Record<string, unknown>) => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', headers, json });
    expect(r.status).toBe(202);
    return r.body.id as string;
  };
  const ended = (headers: Record<string, string>, id: string, status: string) =>
    waitFor(async () => (await http(`${engine.url}/v1/tasks/${id}`, { headers })).body.status === status, {
      what: `task ${id} to be ${status}`,
    });
  const stats = async (headers: Record<string, string>) => {
    const r = await http(`${engine.url}/v1/stats`, { headers });
    expect(r.status).toBe(200);
    return r.body;
  };
  const failing = { type: 'test.fail', backoff: { type: 'fixed', delayMs: 10 } };

  it("counts only the key's own tenant: statuses, types, rates, windows and retries", async () => {
    // acme: 2 echoes complete, 1 task fails after 3 attempts.
    const acmeDone = [await enqueue(acme, { type: 'test.echo' }), await enqueue(acme, { type: 'test.echo' })];
    const acmeFailed = await enqueue(acme, { ...failing, maxAttempts: 3 });
    // globex: 1 noop completes, 2 tasks fail after 2 attempts each.
    const globexDone = await enqueue(globex, { type: 'test.noop' });
    const globexFailed = [await enqueue(globex, { ...failing, maxAttempts: 2 }), await enqueue(globex, { ...failing, maxAttempts: 2 })];
    for (const id of acmeDone) await ended(acme, id, 'completed');
    await ended(acme, acmeFailed, 'failed');
    await ended(globex, globexDone, 'completed');
    for (const id of globexFailed) await ended(globex, id, 'failed');

    const a = await stats(acme);
    expect(a.byStatus).toEqual({ completed: 2, failed: 1 });
    expect(a.byType).toEqual({ 'test.echo': { completed: 2 }, 'test.fail': { failed: 1 } });
    expect(a).toMatchObject({ successRate: 0.6667, failureRate: 0.3333 });
    expect(a.windows['5m']).toMatchObject({ finished: 3, completed: 2, failed: 1, retries: 2, successRate: 0.6667 });
    expect(Object.keys(a.windows['5m'].byType).sort()).toEqual(['test.echo', 'test.fail']);
    expect(a.windows['5m'].byType['test.fail']).toMatchObject({ failed: 1, retries: 2 });
    expect(a.windows['5m'].byType['test.echo']).toMatchObject({ completed: 2, retries: 0 });

    const g = await stats(globex);
    expect(g.byStatus).toEqual({ completed: 1, failed: 2 });
    expect(g.byType).toEqual({ 'test.noop': { completed: 1 }, 'test.fail': { failed: 2 } });
    expect(g).toMatchObject({ successRate: 0.3333, failureRate: 0.6667 });
    expect(g.windows['5m']).toMatchObject({ finished: 3, completed: 1, failed: 2, retries: 2, successRate: 0.3333 });
    expect(Object.keys(g.windows['5m'].byType).sort()).toEqual(['test.fail', 'test.noop']);
    expect(g.windows['5m'].byType['test.fail']).toMatchObject({ failed: 2, retries: 2 });
    expect(g.windows['5m'].byType['test.noop']).toMatchObject({ completed: 1, retries: 0 });
  });

  it("counts only the key's own tenant's delayed tasks", async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    await enqueue(acme, { type: 'test.noop', runAt: later });
    await enqueue(acme, { type: 'test.noop', runAt: later });
    await enqueue(globex, { type: 'test.noop', runAt: later });
    const a = await waitFor(async () => {
      const now = await stats(acme);
      return now.byStatus.scheduled === 2 ? now : null;
    });
    const g = await stats(globex);
    expect(a.byStatus.scheduled).toBe(2);
    expect(g.byStatus.scheduled).toBe(1);
    expect(a.byType['test.noop']).toEqual({ scheduled: 2 });
    expect(g.byType['test.noop']).toEqual({ completed: 1, scheduled: 1 });
  });
});
