import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('POST /v1/tasks/batch', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine({ label: 'batch', handlers: [TestHandlers] });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });
  const batch = (json: unknown) => http(`${engine.url}/v1/tasks/batch`, { method: 'POST', json });

  it('enqueues the good items and answers each bad one with its own error', async () => {
    const r = await batch({
      items: [
        { type: 'test.echo', payload: 1 },
        { type: 'no.such.type' },
        { type: 'test.echo', payload: 'a\u0000b' },
        { type: 'test.echo', payload: 3, priority: 9, labels: { batch: 'b1' } },
        { nope: true },
      ],
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ accepted: 2, failed: 3 });
    expect(r.body.items.map((i: { status: number }) => i.status)).toEqual([202, 422, 400, 202, 400]);
    expect(r.body.items[2].error.message).toMatch(/payload contains a NUL/);
    for (const i of [0, 3]) {
      await waitFor(async () => (await http(`${engine.url}/v1/tasks/${r.body.items[i].task.id}`)).body.status === 'completed', {
        what: `batch item ${i} to complete`,
      });
    }
  });

  it('with atomic: true, one bad item refuses the batch and nothing is enqueued', async () => {
    const r = await batch({ atomic: true, items: [{ type: 'test.echo', payload: { marker: 'atomic-1' } }, { type: 'no.such.type' }] });
    expect(r.status).toBe(400);
    expect(r.body.items).toEqual([expect.objectContaining({ index: 1, status: 422 })]);
    const rows = await sql(engine.schema, `select id from tasks where payload->>'marker' = 'atomic-1'`);
    const events = await sql(engine.schema, `select event_id from task_events where data->'payload'->>'marker' = 'atomic-1'`);
    expect([rows.length, events.length]).toEqual([0, 0]);
  });

  it('takes 1,000 items in one call, repeats an idempotency key once, and refuses 1,001', async () => {
    // The first two repeat one request under one key: one task.
    const items = Array.from({ length: 1000 }, (_, i) =>
      i < 2 ? { type: 'test.noop', payload: { i: 'same' }, idempotencyKey: 'batch-key' } : { type: 'test.noop', payload: { i } },
    );
    const r = await batch({ items });
    expect(r.status).toBe(202);
    expect(r.body.items.filter((i: { status: number }) => i.status !== 202)).toEqual([]);
    expect(r.body.accepted).toBe(1000);
    expect(r.body.items[1].task.id).toBe(r.body.items[0].task.id);
    expect(new Set(r.body.items.map((i: { task: { id: string } }) => i.task.id)).size).toBe(999);
    expect((await batch({ items: [...items, { type: 'test.noop' }] })).status).toBe(400);
  });
});
