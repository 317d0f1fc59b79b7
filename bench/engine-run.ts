import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { TaskClientService } from '../src/client/task-client.service';
import { TasklogConfig } from '../src/config';
import { allTopics, topicsFor } from '../src/kafka/topics';
import { quoteIdentifier } from '../src/projection/sql-identifier';
import { RolesService } from '../src/runtime/roles.service';
import { BenchHandlers } from './bench.handlers';
import { ProgressBar } from './progress';
import { pool, round, say, sleep, withTimeout } from './util';

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface EngineResult {
  tasks: number;
  tasksPerSec: number;
  enqueuePerSec: number;
  /** First created_at to last projected_at. */
  seconds: number;
  enqueueFailures: number;
  /** Event loop delay of this process (client + worker + projector) while tasks ran. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  latencyMs: { enqueueToStart: Percentiles; enqueueToCompleted: Percentiles; enqueueToProjected: Percentiles };
}

export interface EngineRunOptions {
  tasks: number;
  inFlight: number;
  id: string;
  config: TasklogConfig;
  completionTimeoutMs: number;
  timeline?: boolean;
}

export class BenchTimeout extends Error {}

/** Enqueues `tasks` bench.noop tasks into a fresh engine and waits for Postgres to show them completed. */
export async function runEngine(o: EngineRunOptions): Promise<EngineResult> {
  const prefix = `bench.${o.id}`;
  const schema = `bench_${o.id}`;
  let app: INestApplication | null = null;
  const pg = new Client({ connectionString: o.config.databaseUrl });
  await pg.connect();
  try {
    app = await createApp({
      config: { topicPrefix: prefix, dbSchema: schema, logLevel: 'warn', concurrency: 50, progressIntervalMs: 250 },
      handlers: [BenchHandlers],
    });
    await app.init();
    const t = Date.now();
    await withTimeout(app.get(RolesService).ready(), 120_000, 'engine ready');
    say(`engine ready in ${Date.now() - t} ms (topics ${prefix}.*, schema ${schema})`);

    const client = app.get(TaskClientService);
    const bar = new ProgressBar(o.tasks, 'completed');
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let enqueued = 0;
    let failures = 0;
    let firstFailure = '';
    const enqueueStart = performance.now();
    const enqueueing = pool(o.tasks, o.inFlight, async (i) => {
      try {
        await client.enqueue('bench.noop', { i });
        enqueued++;
      } catch (e) {
        failures++;
        firstFailure ||= (e as Error).message;
      }
    }).then(() => performance.now() - enqueueStart);

    let enqueueMs: number | null = null;
    void enqueueing.then((ms) => (enqueueMs = ms));
    const deadline = Date.now() + o.completionTimeoutMs;
    let lastCompleted = -1;
    let lastChange = Date.now();
    let stallReported = false;
    for (;;) {
      const { rows } = await pg.query<{ completed: number; projected: number }>(
        `select count(*) filter (where status = 'completed')::int as completed, count(*)::int as projected from ${quoteIdentifier(schema)}.tasks`,
      );
      const { completed, projected } = rows[0];
      const target = o.tasks - failures;
      const extra = `enqueued ${enqueued}${failures ? ` failed ${failures}` : ''} projected ${projected}`;
      if (enqueueMs !== null && completed >= target) {
        bar.finish(completed, extra);
        break;
      }
      bar.update(completed, extra);
      if (completed !== lastCompleted) {
        lastCompleted = completed;
        lastChange = Date.now();
        stallReported = false;
      } else if (!stallReported && Date.now() - lastChange > 15_000) {
        stallReported = true;
        say(
          `WARNING: no task completed for 15 s (completed ${completed}, enqueued ${enqueued}); statuses: ${await statusBreakdown(pg, schema)}`,
        );
      }
      if (Date.now() > deadline) {
        bar.finish(completed, extra);
        throw new BenchTimeout(
          `engine run timed out after ${o.completionTimeoutMs / 1000} s: ${completed}/${target} completed, ${enqueued} enqueued; statuses: ${await statusBreakdown(pg, schema)}`,
        );
      }
      await sleep(200);
    }
    loop.disable();
    const enqueueSeconds = (enqueueMs ?? (await enqueueing)) / 1000;
    if (failures) say(`WARNING: ${failures} enqueue(s) failed; first error: ${firstFailure}`);

    const { rows } = await pg.query(
      `select count(*)::int as n,
              extract(epoch from max(projected_at) - min(created_at))::float8 as span_s,
              percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from started_at - created_at) * 1000) as start_ms,
              percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from finished_at - created_at) * 1000) as completed_ms,
              percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from projected_at - created_at) * 1000) as projected_ms
         from ${quoteIdentifier(schema)}.tasks`,
    );
    const s = rows[0];
    if (o.timeline) await printTimeline(pg, schema);
    const pct = (a: number[]): Percentiles => ({ p50: round(Number(a[0]), 1), p99: round(Number(a[1]), 1) });
    return {
      tasks: s.n,
      tasksPerSec: round(s.n / s.span_s, 1),
      enqueuePerSec: round((o.tasks - failures) / enqueueSeconds, 1),
      seconds: round(s.span_s, 3),
      enqueueFailures: failures,
      eventLoopDelayMs: {
        p50: round(loop.percentile(50) / 1e6, 1),
        p99: round(loop.percentile(99) / 1e6, 1),
        max: round(loop.max / 1e6, 1),
      },
      latencyMs: { enqueueToStart: pct(s.start_ms), enqueueToCompleted: pct(s.completed_ms), enqueueToProjected: pct(s.projected_ms) },
    };
  } finally {
    if (app) {
      const t = Date.now();
      await withTimeout(app.close(), 60_000, 'closing the engine').catch((e) => say(`WARNING: ${(e as Error).message}`));
      say(`engine closed in ${Date.now() - t} ms`);
    }
    await pg
      .query(`drop schema if exists ${quoteIdentifier(schema)} cascade`)
      .catch((e) => say(`WARNING: could not drop schema ${schema}: ${(e as Error).message}`));
    await pg.end().catch(() => undefined);
    await deleteKafkaState(o.config.brokers, allTopics(topicsFor(prefix)), [
      `${prefix}.workers`,
      `${prefix}.projector`,
      `${prefix}.projector-lanes`,
    ]);
  }
}

/** Tasks per second since the first enqueue, by the time each lifecycle step happened. */
async function printTimeline(pg: Client, schema: string): Promise<void> {
  const { rows } = await pg.query<{ sec: number; kind: string; n: number }>(
    `with t0 as (select min(created_at) as t0 from ${quoteIdentifier(schema)}.tasks),
          steps as (
            select 'enqueued' as kind, created_at as at from ${quoteIdentifier(schema)}.tasks
            union all select 'started', started_at from ${quoteIdentifier(schema)}.tasks
            union all select 'completed', finished_at from ${quoteIdentifier(schema)}.tasks
            union all select 'projected', projected_at from ${quoteIdentifier(schema)}.tasks)
     select floor(extract(epoch from at - t0))::int as sec, kind, count(*)::int as n
       from steps, t0 where at is not null group by 1, 2 order by 1`,
  );
  const kinds = ['enqueued', 'started', 'completed', 'projected'];
  const bySec = new Map<number, Record<string, number>>();
  for (const r of rows) bySec.set(r.sec, { ...(bySec.get(r.sec) ?? {}), [r.kind]: r.n });
  say(`timeline (tasks per second; "projected" = the row's final projector write):`);
  say(`${'s'.padStart(5)}${kinds.map((k) => k.padStart(11)).join('')}`);
  const last = Math.max(...bySec.keys());
  for (let sec = 0; sec <= last; sec++) {
    const c = bySec.get(sec) ?? {};
    say(`${String(sec).padStart(5)}${kinds.map((k) => String(c[k] ?? 0).padStart(11)).join('')}`);
  }
}

async function statusBreakdown(pg: Client, schema: string): Promise<string> {
  const { rows } = await pg.query(
    `select status, count(*)::int as n from ${quoteIdentifier(schema)}.tasks group by status order by status`,
  );
  return rows.map((r) => `${r.status}=${r.n}`).join(', ') || 'no rows';
}

/** Deletes the run's topics and consumer groups; failures are reported, not fatal. */
export async function deleteKafkaState(brokers: string[], topics: string[], groups: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    await admin
      .deleteTopics({ topics, timeout: 30_000 })
      .catch((e) => say(`WARNING: could not delete topics ${topics.join(', ')}: ${(e as Error).message}`));
    await admin.deleteGroups(groups).catch(() => undefined); // empty groups; the broker also expires them
  } catch (e) {
    say(`WARNING: Kafka cleanup failed: ${(e as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
