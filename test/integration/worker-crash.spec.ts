import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TaskClientService } from '../../src/client/task-client.service';
import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitForGroup } from '../support/consumer-group';
import { waitFor } from '../support/wait-for';

const CHILD = join(__dirname, '../support/worker-child.js');
const MAIN = join(__dirname, '../../dist/src/main.js');

interface Row {
  task_id: string;
  type: string;
  at: Date;
  data: { workerId?: string; redelivery?: boolean };
}

describe('when a worker process is killed with SIGKILL mid-task', () => {
  let api: TestEngine;
  const children: ChildProcess[] = [];
  const worker = (id: string) => {
    const child = spawn(process.execPath, [CHILD], {
      env: {
        ...process.env,
        TASKLOG_ROLES: 'worker',
        TASKLOG_TOPIC_PREFIX: api.prefix,
        TASKLOG_DB_SCHEMA: api.schema,
        TASKLOG_WORKER_ID: id,
        PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  };
  const events = (ids: string[]) =>
    sql<Row>(api.schema, `select task_id, type, at, data from task_events where task_id = any($1::uuid[]) order by at, event_id`, [ids]);

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build (npm test does it in pretest)`);
    api = await startEngine({ label: 'sigkill', handlers: [TestHandlers], config: { roles: ['api', 'projector'], stallWindowMs: 1000 } });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await api?.stop();
    if (api) await cleanup(api.prefix, api.schema);
  });

  it('runs its tasks again on the surviving worker, marked as redeliveries, and none stays running', async () => {
    const doomed = worker('doomed');
    const survivor = worker('survivor');
    // Both in the group and settled, so the only rebalance in this test is the one the kill causes.
    await waitForGroup(`${api.prefix}.workers`, 2);
    const client = api.app.get(TaskClientService);
    const ids = (await Promise.all(Array.from({ length: 12 }, (_, i) => client.enqueue('test.sleep', { ms: 3000, i })))).map((t) => t.id);
    const startedByDoomed = await waitFor(
      async () => {
        const rows = (await events(ids)).filter((e) => e.type === 'task.started' && e.data.workerId === 'doomed');
        return rows.length > 0 ? rows.map((r) => r.task_id) : null;
      },
      { what: 'the doomed worker to start a task' },
    );
    doomed.kill('SIGKILL');
    const killedAt = Date.now();
    const doneAtKill = new Set((await events(ids)).filter((e) => e.type === 'task.completed').map((e) => e.task_id));
    // The doomed worker's unfinished tasks: their outcome never reached Kafka.
    const orphans = [...new Set(startedByDoomed)].filter((id) => !doneAtKill.has(id));
    expect(orphans.length).toBeGreaterThan(0);
    await waitFor(async () => (await events(ids)).filter((e) => e.type === 'task.completed').length >= ids.length, {
      timeoutMs: 60000,
      what: 'every task to complete on the survivor',
    });
    const all = await events(ids);
    for (const id of orphans) {
      const rerun = all.filter((e) => e.task_id === id && e.type === 'task.started' && e.data.workerId === 'survivor');
      expect(rerun.length).toBeGreaterThan(0);
      expect(rerun[0].data.redelivery).toBe(true);
      expect((await http(`${api.url}/v1/tasks/${id}`)).body).toMatchObject({
        status: 'completed',
        redelivered: true,
        workerId: 'survivor',
      });
    }
    const reruns = all.filter((e) => orphans.includes(e.task_id) && e.type === 'task.started' && e.data.workerId === 'survivor');
    const takeoverMs = Math.min(...reruns.map((e) => new Date(e.at).getTime())) - killedAt;
    if (process.env.TASKLOG_REPORT_DIR)
      writeFileSync(join(process.env.TASKLOG_REPORT_DIR, 'sigkill-rerun.json'), JSON.stringify({ takeoverMs }));
    const running = await sql<{ n: string }>(
      api.schema,
      `select count(*) as n from tasks where status = 'running' and id = any($1::uuid[])`,
      [ids],
    );
    expect(Number(running[0].n)).toBe(0);
    expect(survivor.exitCode).toBeNull();
  }, 120000);

  it('shows a task whose worker vanished as stalled until another worker takes it', async () => {
    for (const c of children) c.kill('SIGKILL');
    const lone = worker('lone');
    await waitForGroup(`${api.prefix}.workers`, 1);
    const task = await api.app.get(TaskClientService).enqueue('test.sleep', { ms: 20000 });
    await waitFor(async () => (await events([task.id])).some((e) => e.type === 'task.started' && e.data.workerId === 'lone'), {
      what: 'the lone worker to start the task',
    });
    lone.kill('SIGKILL');
    const stats = () => http(`${api.url}/v1/stats`).then((r) => r.body);
    const stalled = await waitFor(async () => ((await stats()).stalled?.taskIds.includes(task.id) ? await stats() : null), {
      what: 'the task to show as stalled',
    });
    expect(stalled.stalled.count).toBeGreaterThanOrEqual(1);
    worker('rescuer');
    await waitFor(async () => (await events([task.id])).some((e) => e.type === 'task.started' && e.data.workerId === 'rescuer'), {
      what: 'a new worker to take the task',
    });
    await waitFor(async () => !(await stats()).stalled.taskIds.includes(task.id), { what: 'the task to be stalled no more' });
  }, 120000);
});
