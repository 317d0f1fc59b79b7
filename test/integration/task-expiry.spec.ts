import { TaskClientService } from '../../src/client/task-client.service';
import { WorkerService } from '../../src/worker/worker.service';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('tasks with a deadline (expiresAt / ttlMs)', () => {
  let engine: TestEngine;
  let handlers: TestHandlers;

  beforeAll(async () => {
    // One slot, so a queued task can be stuck behind a slow one past its deadline.
    engine = await startEngine({ label: 'expiry', handlers: [TestHandlers], config: { concurrency: 1 } });
    handlers = engine.app.get(TestHandlers);
  });
  afterAll(async () => {
    handlers?.openGate();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const enqueue = async (json: Record<string, unknown>) => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json });
    expect(r.status).toBe(202);
    return r.body as { id: string; status: string; runAt: string | null; expiresAt: string | null };
  };
  const until = (id: string, status: string) =>
    waitFor(
      async () => {
        const t = (await http(`${engine.url}/v1/tasks/${id}`)).body;
        return t.status === status ? t : null;
      },
      { what: `task ${id} to be ${status}` },
    );
  const types = async (id: string) =>
    ((await http(`${engine.url}/v1/tasks/${id}/events`)).body.items as { type: string }[]).map((e) => e.type);

  it('refuses expiresAt together with ttlMs, and an expiresAt without an offset', async () => {
    const both = await http(`${engine.url}/v1/tasks`, {
      method: 'POST',
      json: { type: 'test.echo', expiresAt: new Date(Date.now() + 60000).toISOString(), ttlMs: 1000 },
    });
    expect(both.status).toBe(400);
    expect(both.body.detail).toMatch(/ttlMs/);
    const local = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', expiresAt: '2099-01-01T10:00:00' } });
    expect(local.status).toBe(400);
    expect(local.body.detail).toMatch(/expiresAt/);
  });

  describe('when a scheduled task expires before it is due', () => {
    it('ends expired and never starts', async () => {
      const task = await enqueue({ type: 'test.echo', payload: 'late', delayMs: 1500, ttlMs: 500 });
      expect(task.status).toBe('scheduled');
      expect(Date.parse(task.expiresAt!)).toBeLessThan(Date.parse(task.runAt!));
      const expired = await until(task.id, 'expired');
      expect(expired.finishedAt).not.toBeNull();

      // A task due just after its run time has run: the scheduler went past it.
      const probe = await enqueue({ type: 'test.echo', payload: 'probe', delayMs: 1600 });
      await until(probe.id, 'completed');
      expect(handlers.runs.get(task.id)).toBeUndefined();
      expect(await types(task.id)).toEqual(['task.enqueued', 'task.expired']);
    });
  });

  describe('when a queued task is stuck behind a slow one past its deadline', () => {
    it('ends expired, and the worker does not start it once the slot frees up', async () => {
      const worker = engine.app.get(WorkerService);
      handlers.closeGate();
      const slow = await enqueue({ type: 'test.gated' });
      await waitFor(() => handlers.current === 1, { what: 'the slow task to hold the only slot' });
      const stuck = await engine.app.get(TaskClientService).enqueue('test.echo', 'stuck', { ttlMs: 800 });
      expect(stuck.expiresAt).not.toBeNull();
      await waitFor(() => worker.inFlight === 2, { what: 'its command to wait in the buffer' });

      await until(stuck.id, 'expired');
      handlers.openGate();
      await until(slow.id, 'completed');
      await waitFor(() => worker.inFlight === 0, { what: 'the worker to take the expired command' });
      expect(handlers.runs.get(stuck.id)).toBeUndefined();
      const history = await types(stuck.id);
      expect(history).not.toContain('task.started');
      expect(history.filter((t) => t === 'task.expired')).toHaveLength(1);
    });
  });

  describe('when a task starts before its deadline', () => {
    it('runs to completion although the deadline passes while it runs', async () => {
      const task = await enqueue({ type: 'test.sleep', payload: { ms: 1200 }, ttlMs: 600 });
      await until(task.id, 'running');
      const done = await until(task.id, 'completed');
      expect(Date.parse(done.finishedAt)).toBeGreaterThan(Date.parse(task.expiresAt!));
    });
  });
});

describe('when no scheduler runs, a worker alone enforces the deadline', () => {
  let engine: TestEngine;
  let handlers: TestHandlers;

  beforeAll(async () => {
    engine = await startEngine({
      label: 'expiryworker',
      handlers: [TestHandlers],
      config: { concurrency: 1, roles: ['api', 'worker', 'projector'] },
    });
    handlers = engine.app.get(TestHandlers);
  });
  afterAll(async () => {
    handlers?.openGate();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('appends task.expired instead of starting a command whose deadline passed in the buffer', async () => {
    const client = engine.app.get(TaskClientService);
    handlers.closeGate();
    await client.enqueue('test.gated', null);
    await waitFor(() => handlers.current === 1, { what: 'the slow task to hold the only slot' });
    const stuck = await client.enqueue('test.echo', 'stuck', { ttlMs: 300 });
    await waitFor(() => Date.now() > Date.parse(stuck.expiresAt!), { what: 'the deadline to pass' });
    expect((await http(`${engine.url}/v1/tasks/${stuck.id}`)).body.status).toBe('queued');

    handlers.openGate();
    const expired = await waitFor(
      async () => {
        const t = (await http(`${engine.url}/v1/tasks/${stuck.id}`)).body;
        return t.status === 'expired' ? t : null;
      },
      { what: 'the worker to expire it' },
    );
    expect(expired.startedAt).toBeNull();
    expect(handlers.runs.get(stuck.id)).toBeUndefined();
    const events = (await http(`${engine.url}/v1/tasks/${stuck.id}/events`)).body.items as { type: string; data: unknown }[];
    expect(events.find((e) => e.type === 'task.expired')?.data).toEqual({ expiresAt: stuck.expiresAt });
  });
});
