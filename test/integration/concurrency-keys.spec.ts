import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TaskClientService } from '../../src/client/task-client.service';
import { cleanup, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitForGroup } from '../support/consumer-group';
import { waitFor } from '../support/wait-for';

const CHILD = join(__dirname, '../support/worker-child.js');

describe('a concurrency key across two worker processes and three lanes', () => {
  let engine: TestEngine;
  let child: ChildProcess;

  beforeAll(async () => {
    engine = await startEngine({ label: 'ckeys', handlers: [TestHandlers] });
    child = spawn(process.execPath, [CHILD], {
      env: {
        ...process.env,
        TASKLOG_ROLES: 'worker',
        TASKLOG_TOPIC_PREFIX: engine.prefix,
        TASKLOG_DB_SCHEMA: engine.schema,
        PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitForGroup(`${engine.prefix}.workers`, 2);
  }, 90000);
  afterAll(async () => {
    child?.kill('SIGKILL');
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('never runs two tasks of one key at once, whatever their priorities, while other keys run in parallel', async () => {
    const client = engine.app.get(TaskClientService);
    const keyed: string[] = [];
    const others: string[] = [];
    for (let i = 0; i < 9; i++) {
      const priority = [1, 5, 9][i % 3];
      keyed.push((await client.enqueue('test.sleep', { ms: 300 }, { priority, concurrencyKey: 'account-7', tenantId: 'acme' })).id);
      others.push((await client.enqueue('test.sleep', { ms: 300 }, { priority, concurrencyKey: `other-${i}`, tenantId: 'acme' })).id);
    }
    const intervals = async (ids: string[]) => {
      const rows = await sql<{ task_id: string; type: string; at: Date }>(
        engine.schema,
        `select task_id, type, at from task_events where task_id = any($1::uuid[]) and type in ('task.started', 'task.completed')`,
        [ids],
      );
      return ids.map((id) => {
        const at = (type: string) => new Date(rows.find((r) => r.task_id === id && r.type === type)!.at).getTime();
        return [at('task.started'), at('task.completed')] as const;
      });
    };
    await waitFor(
      async () => {
        const n = await sql<{ n: string }>(
          engine.schema,
          `select count(*) as n from tasks where status = 'completed' and id = any($1::uuid[])`,
          [[...keyed, ...others]],
        );
        return Number(n[0].n) === 18;
      },
      { timeoutMs: 60000, what: 'all 18 tasks to complete' },
    );
    const runs = (await intervals(keyed)).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < runs.length; i++) expect(runs[i][0]).toBeGreaterThanOrEqual(runs[i - 1][1]);
    // The other keys did overlap: the serial runs above are the key's doing, not a slow worker.
    const free = (await intervals(others)).sort((a, b) => a[0] - b[0]);
    expect(free.some((r, i) => i > 0 && r[0] < free[i - 1][1])).toBe(true);
  }, 90000);
});
