import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TaskClientService } from '../../src/client/task-client.service';
import { cleanup, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('when a worker shuts down gracefully while tasks run', () => {
  let first: TestEngine;
  let second: TestEngine | null = null;

  beforeAll(async () => {
    first = await startEngine({ label: 'shutdown', handlers: [TestHandlers], config: { concurrency: 10 } });
  });
  afterAll(async () => {
    await second?.stop();
    if (first) await cleanup(first.prefix, first.schema);
  });

  it('lets running tasks finish, and the next worker runs none of them again', async () => {
    const handlers = first.app.get(TestHandlers);
    const tasks = await Promise.all(Array.from({ length: 8 }, () => first.app.get(TaskClientService).enqueue('test.slow', { ms: 2000 })));
    const ids = tasks.map((t) => t.id);
    await waitFor(() => handlers.current === 8, { what: 'all 8 tasks running' });

    await first.stop();
    expect(handlers.current).toBe(0);
    for (const id of ids) expect(handlers.runs.get(id)).toBe(1);

    second = await startEngine({ label: 'shutdown', prefix: first.prefix, schema: first.schema, handlers: [TestHandlers] });
    const done = async () =>
      Number(
        (
          await sql<{ n: string }>(first.schema, `select count(*) as n from tasks where status = 'completed' and id = any($1::uuid[])`, [
            ids,
          ])
        )[0].n,
      );
    await waitFor(async () => (await done()) === 8, { timeoutMs: 30000, what: 'the drained tasks to be projected' });

    // Give the new worker a chance to (wrongly) pick the commands up again before checking.
    const probe = await second.app.get(TaskClientService).enqueue('test.echo', 'probe');
    await waitFor(
      async () => (await sql(first.schema, `select 1 from tasks where id = $1 and status = 'completed'`, [probe.id])).length === 1,
    );
    const rerun = second.app.get(TestHandlers);
    for (const id of ids) expect(rerun.runs.get(id)).toBeUndefined();
    const starts = await sql<{ n: string }>(
      first.schema,
      `select count(*) as n from task_events where type = 'task.started' and task_id = any($1::uuid[])`,
      [ids],
    );
    expect(Number(starts[0].n)).toBe(8);
  }, 90000);
});

const CHILD = join(__dirname, '../support/worker-child.js');
const MAIN = join(__dirname, '../../dist/src/main.js');

/** A worker in its own process (test.sleep only), so it gets real signals. */
function spawnWorker(prefix: string, schema: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      TASKLOG_ROLES: 'worker',
      TASKLOG_TOPIC_PREFIX: prefix,
      TASKLOG_DB_SCHEMA: schema,
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

interface Row {
  task_id: string;
  type: string;
  at: Date;
  data: { workerId?: string; redelivery?: boolean };
}

describe('when a worker process gets SIGTERM', () => {
  let api: TestEngine;
  const children: ChildProcess[] = [];
  const worker = (env: Record<string, string>) => {
    const child = spawnWorker(api.prefix, api.schema, env);
    children.push(child);
    return child;
  };
  const events = (ids: string[]) =>
    sql<Row>(api.schema, `select task_id, type, at, data from task_events where task_id = any($1::uuid[]) order by at, event_id`, [ids]);
  const completed = async (ids: string[]) => (await events(ids)).filter((e) => e.type === 'task.completed').length;
  const startedBy = async (ids: string[], workerId: string) =>
    (await events(ids)).filter((e) => e.type === 'task.started' && e.data.workerId === workerId);

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it in pretest)`);
    // API and projection here; workers only in child processes.
    api = await startEngine({ label: 'sigterm', handlers: [TestHandlers], config: { roles: ['api', 'projector'] } });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await api?.stop();
    if (api) await cleanup(api.prefix, api.schema);
  });

  describe('with 2 tasks running and 30 queued behind its slots', () => {
    it('starts none of the queued ones after the signal, and each task completes exactly once on the next worker', async () => {
      const client = api.app.get(TaskClientService);
      const first = worker({ TASKLOG_WORKER_ID: 'w-first', TASKLOG_CONCURRENCY: '2' });
      const tasks = await Promise.all(Array.from({ length: 32 }, () => client.enqueue('test.sleep', { ms: 4000 })));
      const ids = tasks.map((t) => t.id);
      await waitFor(async () => (await startedBy(ids, 'w-first')).length === 2, {
        timeoutMs: 30000,
        what: 'the first worker to start 2 tasks',
      });

      const signalledAt = Date.now();
      first.kill('SIGTERM');
      await exited(first);
      const next = worker({ TASKLOG_WORKER_ID: 'w-next', TASKLOG_CONCURRENCY: '32' });
      await waitFor(async () => (await completed(ids)) === 32, { timeoutMs: 60000, what: 'all 32 tasks to complete' });

      const byFirst = await startedBy(ids, 'w-first');
      expect(byFirst).toHaveLength(2);
      for (const e of byFirst) expect(e.at.getTime()).toBeLessThan(signalledAt);
      const all = await events(ids);
      for (const id of ids) {
        const mine = all.filter((e) => e.task_id === id);
        expect({
          id,
          started: mine.filter((e) => e.type === 'task.started').length,
          completed: mine.filter((e) => e.type === 'task.completed').length,
        }).toEqual({
          id,
          started: 1,
          completed: 1,
        });
      }
      next.kill('SIGTERM');
      await exited(next);
    }, 90000);
  });

  describe('with handlers that outlive a 1 s grace period', () => {
    it('aborts them at the deadline, fails none, and they complete on the next worker as redeliveries', async () => {
      const client = api.app.get(TaskClientService);
      const first = worker({ TASKLOG_WORKER_ID: 'w-graceful', TASKLOG_CONCURRENCY: '2', TASKLOG_SHUTDOWN_GRACE_MS: '1000' });
      const tasks = await Promise.all(Array.from({ length: 2 }, () => client.enqueue('test.sleep', { ms: 20000 })));
      const ids = tasks.map((t) => t.id);
      await waitFor(async () => (await startedBy(ids, 'w-graceful')).length === 2, { timeoutMs: 30000, what: 'both tasks to start' });

      const signalledAt = Date.now();
      first.kill('SIGTERM');
      await exited(first);
      // Well before the handlers' 20 s: they were aborted, not waited for.
      expect(Date.now() - signalledAt).toBeLessThan(15000);
      // The next worker's handlers are quick: what matters is who runs them, not for how long.
      const next = worker({ TASKLOG_WORKER_ID: 'w-after', CHILD_SLEEP_MS: '200' });
      await waitFor(async () => (await completed(ids)) === 2, { timeoutMs: 60000, what: 'both tasks to complete on the next worker' });

      const all = await events(ids);
      for (const id of ids) {
        const mine = all.filter((e) => e.task_id === id && e.type !== 'task.progressed');
        expect(mine.map((e) => [e.type, e.data.workerId ?? null, e.data.redelivery ?? null])).toEqual([
          ['task.enqueued', null, null],
          ['task.queued', null, null],
          ['task.started', 'w-graceful', null],
          ['task.started', 'w-after', true],
          ['task.completed', null, null],
        ]);
      }
      next.kill('SIGTERM');
      await exited(next);
    }, 90000);
  });
});
