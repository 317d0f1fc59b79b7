import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { TaskClientService } from '../src/client/task-client.service';
import { TasklogConfig } from '../src/config';
import { allTopics, topicsFor } from '../src/kafka/topics';
import { quoteIdentifier } from '../src/projection/sql-identifier';
import { RolesService } from '../src/runtime/roles.service';
import { BenchHandlers } from './bench.handlers';
import { deleteKafkaState } from './engine-run';
import { pace } from './pacer';
import { Summary, summarize } from './stats';
import { say, sleep, withTimeout } from './util';

export interface EngineSteadyRate {
  rate: number;
  sent: number;
  enqueueToStart: Summary;
  enqueueToProjected: Summary;
}

export interface EngineSteadyResult {
  /** enqueue->start of one task enqueued as soon as the engine reports ready. */
  firstTaskAfterReadyMs: number;
  rates: EngineSteadyRate[];
}

/**
 * One fresh engine (concurrency 50, as in the throughput run). First a single task right after
 * ready, then each rate in turn: the pacer enqueues for `seconds`, the bench waits until every
 * task of that rate is completed in Postgres, and reads its latencies from the read model.
 * Tasks carry their rate in the payload (`r`), so each rate's rows can be told apart.
 */
export async function runEngineSteady(o: {
  rates: number[];
  seconds: number;
  id: string;
  config: TasklogConfig;
  timeoutMs: number;
}): Promise<EngineSteadyResult> {
  const prefix = `bench.${o.id}`;
  const schema = `bench_${o.id}`;
  const table = `${quoteIdentifier(schema)}.tasks`;
  const pg = new Client({ connectionString: o.config.databaseUrl });
  await pg.connect();
  const app = await createApp({
    config: { topicPrefix: prefix, dbSchema: schema, logLevel: 'warn', concurrency: 50, progressIntervalMs: 250 },
    handlers: [BenchHandlers],
  });
  const waitCompleted = async (r: number, n: number, what: string) => {
    const deadline = Date.now() + o.timeoutMs;
    for (;;) {
      const { rows } = await pg.query(`select count(*)::int as n from ${table} where status = 'completed' and payload->>'r' = $1`, [
        String(r),
      ]);
      if (rows[0].n >= n) return;
      if (Date.now() > deadline) throw new Error(`${what}: only ${rows[0].n}/${n} tasks completed in time`);
      await sleep(100);
    }
  };
  const ms = (expr: string) => `extract(epoch from ${expr}) * 1000`;
  try {
    await app.init();
    await withTimeout(app.get(RolesService).ready(), 120_000, 'engine ready');
    const client = app.get(TaskClientService);
    await client.enqueue('bench.noop', { r: 0 });
    await waitCompleted(0, 1, 'first task after ready');
    const first = await pg.query(`select ${ms('started_at - created_at')} as ms from ${table} where payload->>'r' = '0'`);
    const firstTaskAfterReadyMs = Math.round(Number(first.rows[0].ms) * 10) / 10;
    say(`engine first task after ready: enqueue->start ${firstTaskAfterReadyMs} ms`);

    const rates: EngineSteadyRate[] = [];
    for (const rate of o.rates) {
      let failed = 0;
      const pending: Promise<unknown>[] = [];
      const paced = await pace(rate, o.seconds, (i) => {
        pending.push(client.enqueue('bench.noop', { r: rate, i }).catch(() => failed++));
      });
      await Promise.all(pending);
      await waitCompleted(rate, paced.sent - failed, `engine steady ${rate}/s`);
      // The final projector write can trail the completed status by a batch; let it land.
      await sleep(500);
      const { rows } = await pg.query<{ start: number; projected: number }>(
        `select ${ms('started_at - created_at')} as start, ${ms('projected_at - created_at')} as projected
           from ${table} where payload->>'r' = $1`,
        [String(rate)],
      );
      const enqueueToStart = summarize(rows.map((x) => Number(x.start)));
      const enqueueToProjected = summarize(rows.map((x) => Number(x.projected)));
      rates.push({ rate, sent: paced.sent, enqueueToStart, enqueueToProjected });
      say(
        `engine  ${String(rate).padStart(5)}/s: ${paced.sent} tasks in ${paced.seconds.toFixed(1)} s (pacer at most ${paced.maxBurst} per tick, ${paced.maxLateMs} ms late); enqueue->start ms p50 ${enqueueToStart.p50} p90 ${enqueueToStart.p90} p99 ${enqueueToStart.p99} max ${enqueueToStart.max}; ` +
          `->projected p50 ${enqueueToProjected.p50} p99 ${enqueueToProjected.p99}` +
          (failed ? `; ${failed} enqueue(s) failed` : ''),
      );
    }
    return { firstTaskAfterReadyMs, rates };
  } finally {
    await withTimeout(app.close(), 60_000, 'closing the engine').catch((e) => say(`WARNING: ${(e as Error).message}`));
    await pg.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`).catch(() => undefined);
    await pg.end().catch(() => undefined);
    await deleteKafkaState(o.config.brokers, allTopics(topicsFor(prefix)), [
      `${prefix}.workers`,
      `${prefix}.projector`,
      `${prefix}.projector-lanes`,
    ]);
  }
}
