import { TaskClientService } from '../../src/client/task-client.service';
import { WorkerService } from '../../src/worker/worker.service';
import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const SESSION_TIMEOUT_MS = 6000;

describe('workers that do not stall', () => {
  let engine: TestEngine;
  let handlers: TestHandlers;
  let client: TaskClientService;

  beforeAll(async () => {
    engine = await startEngine({
      label: 'workers',
      handlers: [TestHandlers],
      config: { partitions: 3, concurrency: 20, sessionTimeoutMs: SESSION_TIMEOUT_MS },
    });
    handlers = engine.app.get(TestHandlers);
    client = engine.app.get(TaskClientService);
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const completedCount = async (ids: string[]) =>
    Number(
      (
        await sql<{ n: string }>(engine.schema, `select count(*) as n from tasks where status = 'completed' and id = any($1::uuid[])`, [
          ids,
        ])
      )[0].n,
    );

  describe('when a handler runs three times the consumer session timeout', () => {
    it('finishes once, with no rebalance', async () => {
      const joinsBefore = engine.app.get(WorkerService).joins;
      const task = await client.enqueue('test.slow', { ms: SESSION_TIMEOUT_MS * 3 });
      await waitFor(async () => (await completedCount([task.id])) === 1, {
        timeoutMs: SESSION_TIMEOUT_MS * 3 + 30000,
        what: 'the long task to complete',
      });

      expect(handlers.runs.get(task.id)).toBe(1);
      expect(engine.app.get(WorkerService).joins).toBe(joinsBefore);
      const history = (await http(`${engine.url}/v1/tasks/${task.id}/events`)).body.items as { type: string }[];
      expect(history.filter((e) => e.type === 'task.started')).toHaveLength(1);
      expect(history.filter((e) => e.type === 'task.completed')).toHaveLength(1);
    }, 90000);
  });

  describe('with 3 partitions and concurrency 20', () => {
    it('runs 20 tasks at the same time, and never a 21st while 20 run', async () => {
      handlers.peak = 0;
      handlers.closeGate();
      const worker = engine.app.get(WorkerService);
      const tasks = await Promise.all(Array.from({ length: 30 }, () => client.enqueue('test.gated', {})));
      const ids = tasks.map((t) => t.id);
      // All 30 are in the worker's hands and 20 of them run: the other 10 wait for a slot.
      await waitFor(() => handlers.current === 20 && worker.inFlight === 30, { what: '20 running and 10 waiting' });
      expect(handlers.peak).toBe(20);
      handlers.openGate();
      await waitFor(async () => (await completedCount(ids)) === 30, { timeoutMs: 60000, what: '30 tasks to complete' });
      expect(handlers.peak).toBe(20);
      for (const id of ids) expect(handlers.runs.get(id)).toBe(1);
    }, 90000);
  });

  describe('with tasks sharing a concurrency key', () => {
    it('runs them one at a time, in enqueue order', async () => {
      handlers.peak = 0;
      const tasks = [];
      for (let i = 0; i < 5; i++) tasks.push(await client.enqueue('test.slow', { ms: 400 }, { concurrencyKey: 'tenant-42-sync' }));
      const ids = tasks.map((t) => t.id);
      await waitFor(async () => (await completedCount(ids)) === 5, { timeoutMs: 60000, what: 'the keyed tasks to complete' });
      expect(handlers.peak).toBe(1);
      const starts = await sql<{ id: string }>(engine.schema, `select id from tasks where id = any($1::uuid[]) order by started_at`, [ids]);
      expect(starts.map((r) => r.id)).toEqual(ids);
    }, 90000);
  });

  describe('with concurrency 1 and a handler that ignores its timeout', () => {
    let single: TestEngine;
    beforeAll(async () => {
      single = await startEngine({ label: 'workers1', handlers: [TestHandlers], config: { concurrency: 1 } });
    });
    afterAll(async () => {
      await single?.stop();
      if (single) await cleanup(single.prefix, single.schema);
    });

    it('starts the next task only once the timed-out handler has really returned', async () => {
      const h = single.app.get(TestHandlers);
      const c = single.app.get(TaskClientService);
      const stubborn = await c.enqueue('test.stubborn', { ms: 2000 }, { timeoutMs: 200 });
      await waitFor(() => h.began.has(stubborn.id), { what: 'the stubborn handler to start' });
      const next = await c.enqueue('test.stubborn', { ms: 0 });
      await waitFor(() => h.began.has(next.id), { timeoutMs: 30000, what: 'the next task to start' });

      expect(h.began.get(next.id)!).toBeGreaterThanOrEqual(h.returned.get(stubborn.id)!);
      const failed = await waitFor(
        async () =>
          (
            await sql<{ error: { name: string } }>(single.schema, `select error from tasks where id = $1 and status = 'failed'`, [
              stubborn.id,
            ])
          )[0],
        { what: 'the timed-out task to be failed' },
      );
      expect(failed.error.name).toBe('TimeoutError');
    }, 60000);
  });
});
