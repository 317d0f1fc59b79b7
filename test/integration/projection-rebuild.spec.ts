import { Injectable } from '@nestjs/common';
import { TaskClientService } from '../../src/client/task-client.service';
import { BatchItem } from '../../src/client/task-client';
import { TaskContext } from '../../src/worker/task-context';
import { TaskHandler } from '../../src/worker/task-handler.decorator';
import { runCli } from '../support/cli';
import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { SseClient } from '../support/sse-client';
import { waitFor } from '../support/wait-for';

const TASKS = 10_000;

@Injectable()
class RebuildHandlers {
  @TaskHandler('rb.work')
  work(payload: { i: number }, ctx: TaskContext) {
    ctx.progress({ processed: 1, total: 1 });
    return { doubled: payload.i * 2 };
  }

  /** Fails its first attempt: a retry with history. */
  @TaskHandler('rb.flaky')
  flaky(_payload: unknown, ctx: TaskContext) {
    if (ctx.attempt === 1) throw new Error('first attempt fails');
    return { attempt: ctx.attempt };
  }

  @TaskHandler('rb.broken')
  broken() {
    throw new TypeError('always broken');
  }
}

const count = async (schema: string, where: string) =>
  Number((await sql<{ n: string }>(schema, `select count(*) as n from tasks where ${where}`))[0].n);

/** 10,000 tasks: completions, retries that succeed, exhausted failures, cancelled delayed tasks, deletions. */
async function fill(client: TaskClientService): Promise<{ cancelled: string[]; deleted: string[] }> {
  const items: BatchItem[] = Array.from({ length: TASKS }, (_, i) => {
    if (i % 20 === 1) return { type: 'rb.flaky', payload: { i }, options: { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 50 } } };
    if (i % 50 === 2) return { type: 'rb.broken', payload: { i }, options: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 50 } } };
    if (i % 25 === 3) return { type: 'rb.work', payload: { i }, options: { delayMs: 3_600_000 } };
    // Some traced: the trace each task keeps (its traceparent column) must come back too.
    const traceparent = i % 10 === 5 ? `00-${String(i).padStart(32, 'a')}-${'b'.repeat(16)}-01` : undefined;
    return { type: 'rb.work', payload: { i }, options: { labels: { batch: String(i % 7) }, traceparent } };
  });
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += 1000) {
    for (const r of await client.enqueueBatch(items.slice(i, i + 1000))) {
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      ids.push(r.task.id);
    }
  }
  const delayed = ids.filter((_, i) => i % 25 === 3 && i % 20 !== 1 && i % 50 !== 2);
  const cancelled = delayed.slice(0, 300);
  for (const id of cancelled) await client.cancel('default', id, { reason: 'rebuild test' });
  const deleted = ids.filter((_, i) => i % 1000 === 10);
  return { cancelled, deleted };
}

describe('tasklog projection rebuild | verify (blue/green, from offset 0)', () => {
  let engine: TestEngine;
  let env: Record<string, string>;

  beforeAll(async () => {
    engine = await startEngine({ label: 'rebuild', handlers: [RebuildHandlers], config: { concurrency: 50 } });
    env = { TASKLOG_TOPIC_PREFIX: engine.prefix, TASKLOG_DB_SCHEMA: engine.schema, LOG_LEVEL: 'warn' };
  }, 60000);
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('rebuilds 10,000 tasks with retries, cancels and deletions to the same checksums, switches while serving, and verify catches a hand edit', async () => {
    const client = engine.app.get(TaskClientService);
    const { cancelled, deleted } = await fill(client);
    const unfinished = `status not in ('completed', 'failed', 'cancelled', 'scheduled')`;
    // Settled: every task projected, none under way, and every cancel of a delayed task projected.
    const settled = async () =>
      (await count(engine.schema, 'true')) === TASKS &&
      (await count(engine.schema, unfinished)) === 0 &&
      (await count(engine.schema, `status = 'cancelled'`)) === cancelled.length;
    await waitFor(settled, { timeoutMs: 240_000, intervalMs: 500, what: 'all 10,000 tasks projected and settled' });
    expect(await count(engine.schema, `type = 'rb.flaky' and status = 'completed' and attempt = 2`)).toBe(TASKS / 20);
    for (const id of deleted) expect((await http(`${engine.url}/v1/tasks/${id}`, { method: 'DELETE' })).status).toBe(204);

    // Verify: equal, and the live projection untouched.
    const verify = await runCli(['projection', 'verify', '--json', '--no-progress'], env);
    expect(verify.code).toBe(0);
    const v = JSON.parse(verify.stdout);
    expect(v.equal).toBe(true);
    expect(v.switched).toBe(false);
    expect(v.live.tasks.rows).toBe(TASKS - deleted.length);
    expect(v.rebuilt).toEqual(v.live);
    expect(v.records).toBeGreaterThan(TASKS * 4);

    // Rebuild and switch while tasks keep being enqueued and run, and a live stream stays open.
    const stream = new SseClient(`${engine.url}/v1/stream?type=rb.work`);
    await waitFor(() => stream.status === 200, { what: 'the stream open' });
    let feeding = true;
    const fed: string[] = [];
    const feeder = (async () => {
      while (feeding) {
        for (const r of await client.enqueueBatch(Array.from({ length: 20 }, (_, i) => ({ type: 'rb.work', payload: { i } })))) {
          if (r.ok) fed.push(r.task.id);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const rebuild = await runCli(['projection', 'rebuild', '--json', '--no-progress'], env);
    feeding = false;
    await feeder;
    expect(rebuild.code).toBe(0);
    const r = JSON.parse(rebuild.stdout);
    expect(r).toMatchObject({ equal: true, switched: true });
    expect(r.retiredSchema).toMatch(/_old_\d{14}$/);
    expect(fed.length).toBeGreaterThan(0);
    // The switched projection keeps projecting: every task fed during the rebuild completes, over REST.
    await waitFor(
      async () => (await count(engine.schema, `status = 'completed' and id = any('{${fed.join(',')}}'::uuid[])`)) === fed.length,
      {
        timeoutMs: 120_000,
        what: 'the tasks enqueued during the rebuild completed in the switched projection',
      },
    );
    // The stream opened before the switch goes on across it: a task enqueued after the switch shows up in it.
    const last = (await client.enqueue('rb.work', { i: -1 })).id;
    await waitFor(() => stream.messages.some((m) => m.data.taskId === last && m.data.type === 'task.completed'), {
      timeoutMs: 60_000,
      what: 'the open stream to deliver a completion projected after the switch',
    });
    expect(stream.ended).toBe(false);
    stream.close();
    const one = await http(`${engine.url}/v1/tasks/${fed[fed.length - 1]}`);
    expect(one.body.status).toBe('completed');
    const events = await http(`${engine.url}/v1/tasks/${cancelled[0]}/events`);
    expect(events.body.items.map((e: { type: string }) => e.type)).toContain('task.cancelled');
    expect((await http(`${engine.url}/v1/tasks/${deleted[0]}`)).status).toBe(404);
    // The traces tasks keep came back from the record headers (they are not in the checksum).
    expect(await count(engine.schema, `traceparent is not null`)).toBe(1000);
    await sql(engine.schema, `drop schema if exists "${r.retiredSchema}" cascade`);

    // A row changed by hand: verify says so, names the task, and exits non-zero.
    const victim = (await sql<{ id: string }>(engine.schema, `select id from tasks where type = 'rb.broken' limit 1`))[0].id;
    await sql(engine.schema, `update tasks set status = 'completed' where id = $1`, [victim]);
    const caught = await runCli(['projection', 'verify', '--json', '--no-progress'], env);
    expect(caught.code).toBe(1);
    const c = JSON.parse(caught.stdout);
    expect(c.equal).toBe(false);
    expect(c.differing.tasks).toContain(victim);
    expect(c.differing.task_events).toBeUndefined();
    // And rebuild refuses to switch to a projection that disagrees, saying where (the text report).
    const refused = await runCli(['projection', 'rebuild', '--no-progress'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`differs in tasks: ${victim}`);
    expect(refused.stdout).toMatch(/not switched: the checksums differ/);
    expect((await http(`${engine.url}/v1/tasks/${victim}`)).body.status).toBe('completed');
    // A wrong prefix is an error (exit 2) that says so, not a difference.
    const wrong = await runCli(['projection', 'verify', '--no-progress'], { ...env, TASKLOG_TOPIC_PREFIX: `${engine.prefix}.nope` });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/not found \(TASKLOG_TOPIC_PREFIX wrong\?\)/);
  }, 600_000);
});
