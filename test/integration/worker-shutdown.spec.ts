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
