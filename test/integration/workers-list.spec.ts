import { join } from 'node:path';
import { TaskClientService } from '../../src/client/task-client.service';
import { ChildEngine } from '../support/child-engine';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const WORKER_CHILD = join(__dirname, '../support/worker-child.js');

describe('GET /v1/workers', () => {
  let api: TestEngine;
  const children: ChildEngine[] = [];
  const workers = async () => (await http(`${api.url}/v1/workers`)).body.items as Record<string, any>[];
  const listed = async (id: string) => (await workers()).find((w) => w.id === id);
  const child = (id: string, heartbeatMs: number) => {
    const c = new ChildEngine(
      {
        TASKLOG_ROLES: 'worker',
        TASKLOG_TOPIC_PREFIX: api.prefix,
        TASKLOG_DB_SCHEMA: api.schema,
        TASKLOG_WORKER_ID: id,
        TASKLOG_CONCURRENCY: '4',
        TASKLOG_HEARTBEAT_INTERVAL_MS: String(heartbeatMs),
      },
      WORKER_CHILD,
    );
    children.push(c);
    return c;
  };

  beforeAll(async () => {
    // No worker in this process: everything the list shows comes from other processes, through Kafka.
    api = await startEngine({ label: 'workers', handlers: [TestHandlers], config: { roles: ['api', 'projector'] } });
  });
  afterAll(async () => {
    for (const c of children) await c.kill('SIGKILL');
    await api?.stop();
    if (api) await cleanup(api.prefix, api.schema);
  });

  it('lists a worker in another process with its handled types and running tasks, and drops it after SIGKILL', async () => {
    const worker = child('w-listed', 300);
    const seen = await waitFor(() => listed('w-listed'), { what: 'the child worker in the list' });
    expect(seen).toMatchObject({
      id: 'w-listed',
      pid: worker.process.pid,
      roles: ['worker'],
      taskTypes: ['test.sleep'],
      concurrency: 4,
      freeSlots: 4,
      heartbeatIntervalMs: 300,
      running: [],
    });
    expect(typeof seen.host).toBe('string');
    expect(Date.parse(seen.startedAt)).toBeLessThanOrEqual(Date.parse(seen.lastHeartbeatAt));

    const task = await api.app.get(TaskClientService).enqueue('test.sleep', { ms: 120000 });
    const busy = await waitFor(async () => ((await listed('w-listed'))?.running.length === 1 ? listed('w-listed') : null), {
      what: 'the running task in the heartbeat',
    });
    expect(busy).toMatchObject({ freeSlots: 3, running: [{ taskId: task.id, taskType: 'test.sleep', attempt: 1 }] });
    // Heartbeats keep coming.
    await waitFor(async () => Date.parse((await listed('w-listed'))!.lastHeartbeatAt) > Date.parse(busy.lastHeartbeatAt), {
      what: 'a later heartbeat',
    });

    await worker.kill('SIGKILL');
    await waitFor(async () => !(await listed('w-listed')), { what: 'the killed worker to drop out' });
  }, 90000);

  it('removes a worker that shuts down gracefully at once, by its tombstone', async () => {
    // Heartbeats a minute apart: only the tombstone can remove it within the wait.
    const worker = child('w-graceful', 60000);
    await waitFor(() => listed('w-graceful'), { what: 'the graceful worker in the list' });
    await worker.kill('SIGTERM');
    await waitFor(async () => !(await listed('w-graceful')), { what: 'the stopped worker to be removed' });
  }, 90000);

  it('shows a tenant only its own running tasks', async () => {
    const keyed = await startEngine({
      label: 'workers_tenants',
      prefix: api.prefix,
      schema: api.schema,
      handlers: [TestHandlers],
      config: { roles: ['api'], apiKeys: { 'key-a': 'acme', 'key-b': 'globex' } },
    });
    try {
      child('w-tenants', 300);
      const task = await keyed.app.get(TaskClientService).enqueue('test.sleep', { ms: 120000 }, { tenantId: 'acme' });
      const as = async (key: string) =>
        ((await http(`${keyed.url}/v1/workers`, { headers: { authorization: `Bearer ${key}` } })).body.items as any[]).find(
          (w) => w.id === 'w-tenants',
        );
      await waitFor(async () => (await as('key-a'))?.running.some((t: any) => t.taskId === task.id), { what: "acme's task in the list" });
      // globex sees the worker and that acme's task takes a slot, but not the task itself.
      const seen = await as('key-b');
      expect(seen).toMatchObject({ id: 'w-tenants', running: [] });
      expect(seen.freeSlots).toBeLessThan(4);
    } finally {
      await keyed.stop();
    }
  }, 90000);
});
