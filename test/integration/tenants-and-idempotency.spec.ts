import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('tenants and idempotency keys', () => {
  let engine: TestEngine;
  const acme = { authorization: 'Bearer acme-key' };
  const globex = { 'x-api-key': 'globex-key' };

  beforeAll(async () => {
    engine = await startEngine({
      label: 'tenants',
      handlers: [TestHandlers],
      config: { apiKeys: { 'acme-key': 'acme', 'globex-key': 'globex' } },
    });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const completed = (id: string, headers: Record<string, string>) =>
    waitFor(async () => {
      const r = await http(`${engine.url}/v1/tasks/${id}`, { headers });
      return r.body.status === 'completed' ? r.body : null;
    });

  it('refuses a request without a valid API key with 401 problem+json', async () => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo' } });
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  // Keys used to be looked up on a plain object, so Object.prototype members passed the guard.
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('refuses the API key %s with 401', async (key) => {
    for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }] as Record<string, string>[]) {
      const r = await http(`${engine.url}/v1/tasks`, { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it.each([
    ['an empty x-api-key', { 'x-api-key': '' }],
    ['a bare Bearer', { authorization: 'Bearer' }],
    ['a Bearer with spaces only', { authorization: 'Bearer    ' }],
    ['a Bearer with two tokens', { authorization: 'Bearer acme-key acme-key' }],
    ['a 10 kB key', { 'x-api-key': 'k'.repeat(10 * 1024) }],
    ['a 10 kB Bearer', { authorization: `Bearer ${'k'.repeat(10 * 1024)}` }],
  ])('refuses %s with 401', async (_, headers) => {
    const r = await http(`${engine.url}/v1/tasks`, { headers });
    expect(r.status).toBe(401);
    expect(r.body.status).toBe(401);
  });

  it('takes the Bearer scheme in any case and with extra spaces', async () => {
    const r = await http(`${engine.url}/v1/tasks`, { headers: { authorization: 'bEaReR   acme-key' } });
    expect(r.status).toBe(200);
  });

  it("scopes tasks to the key's tenant: another tenant gets 404 and an empty list", async () => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', headers: acme, json: { type: 'test.echo', payload: 'secret' } });
    expect(r.body.tenantId).toBe('acme');
    await completed(r.body.id, acme);

    expect((await http(`${engine.url}/v1/tasks/${r.body.id}`, { headers: globex })).status).toBe(404);
    expect((await http(`${engine.url}/v1/tasks/${r.body.id}/events`, { headers: globex })).status).toBe(404);
    const list = await http(`${engine.url}/v1/tasks`, { headers: globex });
    expect(list.body.items.map((t: { id: string }) => t.id)).not.toContain(r.body.id);
  });

  it('returns the same task for a repeated Idempotency-Key, and runs it once', async () => {
    const send = () =>
      http(`${engine.url}/v1/tasks`, {
        method: 'POST',
        headers: { ...acme, 'idempotency-key': 'invoice-42' },
        json: { type: 'test.echo', payload: 42 },
      });
    const first = await send();
    await completed(first.body.id, acme);
    const second = await send();
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(engine.app.get(TestHandlers).runs.get(first.body.id)).toBe(1);

    // The same key in another tenant is another task.
    const other = await http(`${engine.url}/v1/tasks`, {
      method: 'POST',
      headers: { ...globex, 'idempotency-key': 'invoice-42' },
      json: { type: 'test.echo', payload: 42 },
    });
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('runs twelve concurrent enqueues under one key once, and all twelve get the same task', async () => {
    const send = () =>
      http(`${engine.url}/v1/tasks`, {
        method: 'POST',
        headers: { ...acme, 'idempotency-key': 'burst-7' },
        json: { type: 'test.echo', payload: { burst: 7 } },
      });
    const answers = await Promise.all(Array.from({ length: 12 }, send));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(202));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    await completed(id, acme);
    const history = await http(`${engine.url}/v1/tasks/${id}/events`, { headers: acme });
    expect(history.body.items.filter((e: { type: string }) => e.type === 'task.started')).toHaveLength(1);
    expect(engine.app.get(TestHandlers).runs.get(id)).toBe(1);
  });

  it('answers 409 naming the key when a used key comes with another payload', async () => {
    const send = (payload: unknown) =>
      http(`${engine.url}/v1/tasks`, {
        method: 'POST',
        headers: { ...acme, 'idempotency-key': 'order-9' },
        json: { type: 'test.echo', payload },
      });
    const first = await send({ amount: 10, currency: 'EUR' });
    expect(first.status).toBe(202);
    // The same payload with its keys in another order is the same request.
    expect((await send({ currency: 'EUR', amount: 10 })).body.id).toBe(first.body.id);
    const other = await send({ amount: 11, currency: 'EUR' });
    expect(other.status).toBe(409);
    expect(other.body.detail).toContain('"order-9"');
    await completed(first.body.id, acme);
    // Still a conflict once the first is projected (checked against the read model, not only memory).
    expect((await send({ amount: 12 })).status).toBe(409);
  });

  it('refuses an Idempotency-Key header over 200 characters with 400, and publishes nothing', async () => {
    const r = await http(`${engine.url}/v1/tasks`, {
      method: 'POST',
      headers: { ...acme, 'idempotency-key': 'k'.repeat(201) },
      json: { type: 'test.echo', payload: 'long key' },
    });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/idempotencyKey/);
    const list = await http(`${engine.url}/v1/tasks?limit=500`, { headers: acme });
    expect(list.body.items.filter((t: { payload: unknown }) => t.payload === 'long key')).toHaveLength(0);
  });
});
