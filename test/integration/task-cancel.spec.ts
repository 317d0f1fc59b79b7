import { TaskClientService } from '../../src/client/task-client.service';
import { ErrorCode, TasklogError } from '../../src/common/errors';
import { WorkerService } from '../../src/worker/worker.service';
import { KafkaService } from '../../src/kafka/kafka.service';
import { topicsFor } from '../../src/kafka/topics';
import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('POST /v1/tasks/:id/cancel', () => {
  let engine: TestEngine;
  let handlers: TestHandlers;
  let worker: WorkerService;
  /** Set once the last scenario has stopped the engine itself. */
  let stopped = false;

  beforeAll(async () => {
    // One slot, so a second task's command waits in the worker's buffer behind the first.
    engine = await startEngine({ label: 'cancel', handlers: [TestHandlers], config: { concurrency: 1 } });
    handlers = engine.app.get(TestHandlers);
    worker = engine.app.get(WorkerService);
  });
  afterAll(async () => {
    handlers?.openGate();
    if (!stopped) await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const enqueue = async (json: Record<string, unknown>) => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json });
    expect(r.status).toBe(202);
    return r.body as { id: string; status: string; runAt: string | null };
  };
  const get = async (id: string) => (await http(`${engine.url}/v1/tasks/${id}`)).body;
  const until = (id: string, status: string) =>
    waitFor(
      async () => {
        const t = await get(id);
        return t.status === status ? t : null;
      },
      { what: `task ${id} to be ${status}` },
    );
  const history = async (id: string) =>
    (await http(`${engine.url}/v1/tasks/${id}/events`)).body.items as { type: string; data: Record<string, unknown> }[];
  const cancel = (id: string, json?: unknown) => http(`${engine.url}/v1/tasks/${id}/cancel`, { method: 'POST', ...(json ? { json } : {}) });

  describe('when the task is scheduled', () => {
    it('ends it cancelled at once, and it never starts when its time comes', async () => {
      const task = await enqueue({ type: 'test.echo', payload: 'later', delayMs: 1500 });
      await until(task.id, 'scheduled');
      const r = await cancel(task.id, { reason: 'no longer needed' });
      expect(r.status).toBe(202);
      expect(r.body.status).toBe('cancelled');
      await until(task.id, 'cancelled');

      // A task due just after it has run: the scheduler went past the cancelled one's time.
      const probe = await enqueue({ type: 'test.echo', payload: 'probe', delayMs: 1600 });
      await until(probe.id, 'completed');
      expect(handlers.runs.get(task.id)).toBeUndefined();
      const events = await history(task.id);
      expect(events.map((e) => e.type)).toEqual(['task.enqueued', 'task.cancel-requested', 'task.cancelled']);
      expect(events[2].data).toEqual({ reason: 'no longer needed', wasRunning: false });
    });
  });

  describe('when the task is queued and its command already waits in the worker behind a slow task', () => {
    it('never starts it', async () => {
      handlers.closeGate();
      const slow = await enqueue({ type: 'test.gated' });
      await waitFor(() => handlers.current === 1, { what: 'the slow task to hold the only slot' });
      const queued = await enqueue({ type: 'test.echo', payload: 'behind' });
      await waitFor(() => worker.inFlight === 2, { what: 'the second command to wait in the buffer' });
      await until(queued.id, 'queued');

      const r = await cancel(queued.id);
      expect(r.status).toBe(202);
      expect(r.body.status).toBe('cancelled');
      await until(queued.id, 'cancelled');
      handlers.openGate();
      await until(slow.id, 'completed');
      await waitFor(() => worker.inFlight === 0, { what: 'the worker to take the cancelled command' });

      expect(handlers.runs.get(queued.id)).toBeUndefined();
      const types = (await history(queued.id)).map((e) => e.type);
      expect(types).not.toContain('task.started');
      // The worker wrote the same task.cancelled the API did (same id): history keeps one.
      expect(types.filter((t) => t === 'task.cancelled')).toHaveLength(1);
    });
  });

  describe('when the task is running in this process', () => {
    it('aborts its signal; a repeated cancel is 202 too, and the task ends cancelled with wasRunning', async () => {
      const task = await enqueue({ type: 'test.sleep', payload: { ms: 30000 } });
      await until(task.id, 'running');
      const first = await cancel(task.id, { reason: 'operator' });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ status: 'running', cancelRequestedAt: expect.any(String) });
      const again = await cancel(task.id);
      expect(again.status).toBe(202);

      const done = await until(task.id, 'cancelled');
      expect(done.cancelRequestedAt).not.toBeNull();
      const events = await history(task.id);
      expect(events.filter((e) => e.type === 'task.cancel-requested')).toHaveLength(1);
      expect(events.find((e) => e.type === 'task.cancelled')?.data).toEqual({ reason: 'operator', wasRunning: true });
      expect(events.map((e) => e.type)).not.toContain('task.failed');
    });
  });

  describe('when the task cannot be cancelled', () => {
    it('answers 409 for a finished task, 404 for no task or another tenant’s, 400 for a reason over 500 characters', async () => {
      const done = await enqueue({ type: 'test.echo', payload: 1 });
      await until(done.id, 'completed');
      const r = await cancel(done.id);
      expect(r.status).toBe(409);
      expect(r.body.detail).toMatch(/completed/);
      expect((await history(done.id)).map((e) => e.type)).not.toContain('task.cancel-requested');

      expect((await cancel('01a2085c-6789-74fa-ac49-b0b014b196df')).status).toBe(404);
      const client = engine.app.get(TaskClientService);
      const other = await client.cancel('another-tenant', done.id).catch((e: TasklogError) => e.code);
      expect(other).toBe(ErrorCode.TASK_NOT_FOUND);

      const pending = await enqueue({ type: 'test.echo', payload: 2, delayMs: 60000 });
      await until(pending.id, 'scheduled');
      const long = await cancel(pending.id, { reason: 'x'.repeat(501) });
      expect(long.status).toBe(400);
      expect(long.body.detail).toMatch(/reason/);
      expect((await cancel(pending.id, { reason: 'ok', extra: 1 })).status).toBe(400);
      // TaskClient from code: the reason and who asked land in history.
      const state = await client.cancel('default', pending.id, { reason: 'from code', requestedBy: 'billing-job' });
      expect(state.status).toBe('cancelled');
      await until(pending.id, 'cancelled');
      expect((await history(pending.id)).find((e) => e.type === 'task.cancel-requested')?.data).toEqual({
        reason: 'from code',
        requestedBy: 'billing-job',
      });
      expect((await cancel(pending.id)).status).toBe(409);
    });
  });

  // Last: it stops the engine.
  describe('when the worker holding a cancelled command shuts down', () => {
    it('ends the command instead of handing it on to a worker that never heard the cancel', async () => {
      handlers.closeGate();
      await enqueue({ type: 'test.gated' });
      await waitFor(() => handlers.current === 1, { what: 'the slow task to hold the only slot' });
      const queued = await enqueue({ type: 'test.echo', payload: 'held' });
      await waitFor(() => worker.inFlight === 2, { what: 'the second command to wait in the buffer' });
      await until(queued.id, 'queued');
      expect((await cancel(queued.id)).status).toBe(202);
      await until(queued.id, 'cancelled');

      const published = jest.spyOn(engine.app.get(KafkaService).ordered, 'publish');
      // Stopping hands buffered commands back at once; the running one finishes when the gate opens.
      const stopping = engine.stop();
      const aboutIt = () =>
        published.mock.calls.flatMap(([records]) => records).filter((r) => JSON.parse(r.value.toString()).taskId === queued.id);
      await waitFor(() => aboutIt().length > 0, { what: 'the stopping worker to give up the buffered command' });
      handlers.openGate();
      await stopping;
      stopped = true;
      const lanes: string[] = Object.values(topicsFor(engine.prefix).commands);
      expect(aboutIt().filter((r) => lanes.includes(r.topic))).toEqual([]);
      // The enqueue was one lane record (ADR 0009): its events reach the events topic with the ending.
      expect(aboutIt().map((r) => JSON.parse(r.value.toString()).type)).toEqual(['task.enqueued', 'task.queued', 'task.cancelled']);
      expect(handlers.runs.get(queued.id)).toBeUndefined();
      const started = await sql(engine.schema, `select 1 from task_events where task_id = $1 and type = 'task.started'`, [queued.id]);
      expect(started).toHaveLength(0);
    });
  });
});
