import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { TaskClientService } from '../src/client/task-client.service';
import { TasklogConfig } from '../src/config';
import { allTopics, topicsFor } from '../src/kafka/topics';
import { quoteIdentifier } from '../src/projection/sql-identifier';
import { RolesService } from '../src/runtime/roles.service';
import { deleteKafkaState } from './engine-run';
import { holdGate, ScenarioHandlers } from './scenario-handlers';
import { ProgressBar } from './progress';
import { WorkerService } from '../src/worker/worker.service';
import { pool, round, say, sleep, withTimeout } from './util';

interface Scenario {
  id: string;
  config: TasklogConfig;
  timeoutMs: number;
}

/** A fresh engine (own topics and schema) for one scenario, torn down afterwards. */
async function withEngine<T>(
  s: Scenario,
  concurrency: number,
  run: (app: INestApplication, pg: Client, schema: string) => Promise<T>,
): Promise<T> {
  const prefix = `bench.${s.id}`;
  const schema = `bench_${s.id}`;
  const pg = new Client({ connectionString: s.config.databaseUrl });
  await pg.connect();
  const app = await createApp({
    config: { topicPrefix: prefix, dbSchema: schema, logLevel: 'warn', concurrency },
    handlers: [ScenarioHandlers],
  });
  try {
    await app.init();
    await withTimeout(app.get(RolesService).ready(), 120_000, 'engine ready');
    return await run(app, pg, schema);
  } finally {
    await withTimeout(app.close(), 60_000, 'closing the engine').catch(() => undefined);
    await pg.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`).catch(() => undefined);
    await pg.end().catch(() => undefined);
    await deleteKafkaState(s.config.brokers, allTopics(topicsFor(prefix)), [
      `${prefix}.workers`,
      `${prefix}.projector`,
      `${prefix}.projector-lanes`,
    ]);
  }
}

async function waitAllDone(pg: Client, schema: string, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pg.query(`select count(*)::int as n from ${quoteIdentifier(schema)}.tasks where status = 'completed'`);
    if (rows[0].n >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${rows[0].n}/${n} tasks completed in time`);
    await sleep(250);
  }
}

/**
 * Scheduler lateness: `tasks` delayed tasks due at `perSecond` per second, enqueued ahead of
 * time; lateness = the task's start minus its runAt.
 */
export async function runDelayed(s: Scenario, tasks: number, perSecond: number): Promise<Record<string, number>> {
  return withEngine(s, 200, async (app, pg, schema) => {
    const client = app.get(TaskClientService);
    const first = Date.now() + 5000 + (tasks / 3000) * 1000;
    await pool(tasks, 500, async (i) => {
      await client.enqueue('bench.work', { ms: 0 }, { runAt: new Date(first + (i * 1000) / perSecond).toISOString() });
    });
    say(`scheduled ${tasks} tasks due from ${new Date(first).toISOString()} at ${perSecond}/s`);
    await waitAllDone(pg, schema, tasks, s.timeoutMs);
    const { rows } = await pg.query(
      `select percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from started_at - run_at) * 1000) as late,
              max(extract(epoch from started_at - run_at) * 1000) as max_late,
              min(extract(epoch from started_at - run_at) * 1000) as min_late
         from ${quoteIdentifier(schema)}.tasks`,
    );
    const r = rows[0];
    return { p50: round(r.late[0], 1), p99: round(r.late[1], 1), max: round(Number(r.max_late), 1), min: round(Number(r.min_late), 1) };
  });
}

/**
 * Lanes under saturation: a worker with `concurrency` slots gets equal numbers of low, normal
 * and high tasks of `workMs` each, all at once; wait = start minus enqueue, per lane.
 */
export async function runLanes(
  s: Scenario,
  perLane: number,
  concurrency: number,
  workMs: number,
): Promise<Record<string, Record<string, number>>> {
  return withEngine(s, concurrency, async (app, pg, schema) => {
    const client = app.get(TaskClientService);
    const priorities = { low: 1, normal: 5, high: 9 };
    await pool(perLane * 3, 300, async (i) => {
      const lane = (['low', 'normal', 'high'] as const)[i % 3];
      await client.enqueue('bench.work', { ms: workMs }, { priority: priorities[lane] });
    });
    await waitAllDone(pg, schema, perLane * 3, s.timeoutMs);
    const { rows } = await pg.query(
      `select case when priority >= 8 then 'high' when priority <= 3 then 'low' else 'normal' end as lane,
              percentile_cont(array[0.5, 0.99]) within group (order by extract(epoch from started_at - created_at) * 1000) as wait,
              max(extract(epoch from started_at - created_at) * 1000) as max_wait
         from ${quoteIdentifier(schema)}.tasks group by 1`,
    );
    return Object.fromEntries(
      rows.map((r) => [r.lane, { p50: round(r.wait[0], 0), p99: round(r.wait[1], 0), max: round(Number(r.max_wait), 0) }]),
    );
  });
}

export interface BacklogResult {
  tasks: number;
  enqueueSeconds: number;
  /** RSS of the engine process (all roles: API, worker, projector) before the backlog, its peak, and once settled with it. */
  rssMb: { before: number; peak: number; settled: number };
  heapUsedMb: number;
  /** After a full GC (when node runs with --expose-gc, as `npm run bench` does): what is really held. */
  afterGc: { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number } | null;
  /** Run commands the worker holds in memory (running or buffered) with the backlog waiting in Kafka. */
  workerInFlight: number;
}

const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

/**
 * Memory with a backlog: `tasks` tasks whose handler holds its slot, so all but `concurrency`
 * wait in Kafka. The worker must hold a bounded buffer, not the backlog.
 */
export async function runBacklog(s: Scenario, tasks: number): Promise<BacklogResult> {
  holdGate.open = false;
  return withEngine(s, 50, async (app, pg, schema) => {
    const client = app.get(TaskClientService);
    const worker = app.get(WorkerService);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    try {
      const bar = new ProgressBar(tasks, 'enqueued');
      let done = 0;
      const t0 = performance.now();
      await pool(tasks, 2000, async (i) => {
        await client.enqueue('bench.hold', { i });
        if (++done % 1000 === 0) bar.update(done);
      });
      bar.finish(done);
      const enqueueSeconds = round((performance.now() - t0) / 1000, 2);
      const table = `${quoteIdentifier(schema)}.tasks`;
      const deadline = Date.now() + s.timeoutMs;
      for (;;) {
        const { rows } = await pg.query(`select count(*)::int as n from ${table}`);
        if (rows[0].n >= tasks) break;
        if (Date.now() > deadline) throw new Error(`only ${rows[0].n}/${tasks} tasks projected in time`);
        await sleep(250);
      }
      await sleep(3000); // the worker fills its buffer and the allocator settles
      const settled = process.memoryUsage();
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const collected = gc ? process.memoryUsage() : null;
      return {
        tasks,
        enqueueSeconds,
        rssMb: { before: mb(before), peak: mb(peak), settled: mb(settled.rss) },
        heapUsedMb: mb(settled.heapUsed),
        afterGc: collected
          ? {
              rssMb: mb(collected.rss),
              heapUsedMb: mb(collected.heapUsed),
              heapTotalMb: mb(collected.heapTotal),
              externalMb: mb(collected.external),
            }
          : null,
        workerInFlight: worker.inFlight,
      };
    } finally {
      clearInterval(sampler);
      holdGate.open = true;
    }
  });
}
