import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { createApp } from '../src/app.factory';
import { TaskClientService } from '../src/client/task-client.service';
import { TasklogConfig } from '../src/config';
import { allTopics, topicsFor } from '../src/kafka/topics';
import { quoteIdentifier } from '../src/projection/sql-identifier';
import { RolesService } from '../src/runtime/roles.service';
import { deleteKafkaState } from './engine-run';
import { ProgressBar } from './progress';
import { pool, round, say, sleep, withTimeout } from './util';

export interface ScaleEntry {
  workers: number;
  partitions: number;
  tasks: number;
  tasksPerSec: number;
  seconds: number;
  /** CPU seconds per wall second: the worker processes together, and this process (API + projector). */
  cpu: { workers: number; apiAndProjector: number };
}

const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * How throughput grows with worker processes: for each count, a fresh engine whose API and
 * projector run here and whose workers run in that many child processes, over `partitions`
 * partitions per lane; `tasks` no-op tasks end to end (enqueue to projected completed).
 */
export async function runScale(o: {
  counts: number[];
  partitions: number;
  tasks: number;
  id: string;
  config: TasklogConfig;
  timeoutMs: number;
}): Promise<ScaleEntry[]> {
  const out: ScaleEntry[] = [];
  for (const workers of o.counts) {
    say(`\n-- ${workers} worker process(es), ${o.partitions} partitions per topic`);
    out.push(await runOne({ ...o, workers, id: `${o.id}${workers}` }));
    const e = out[out.length - 1];
    say(
      `${workers} worker(s): ${e.tasksPerSec} tasks/s (${e.seconds} s); CPU s/s: workers ${e.cpu.workers}, api+projector ${e.cpu.apiAndProjector}`,
    );
  }
  return out;
}

async function runOne(o: {
  workers: number;
  partitions: number;
  tasks: number;
  id: string;
  config: TasklogConfig;
  timeoutMs: number;
}): Promise<ScaleEntry> {
  const prefix = `bench.${o.id}`;
  const schema = `bench_${o.id}`;
  const pg = new Client({ connectionString: o.config.databaseUrl });
  await pg.connect();
  const app = await createApp({
    config: {
      topicPrefix: prefix,
      dbSchema: schema,
      logLevel: 'warn',
      partitions: o.partitions,
      roles: ['api', 'projector'],
      // The handler lives in the worker processes only.
      allowUnknownTypes: true,
    },
  });
  const children: ChildProcess[] = [];
  try {
    await app.init();
    await withTimeout(app.get(RolesService).ready(), 120_000, 'engine ready');
    for (let i = 0; i < o.workers; i++) {
      children.push(
        spawn(process.execPath, [join(__dirname, 'scale-worker.js')], {
          cwd: join(__dirname, '..', '..'),
          env: {
            ...process.env,
            TASKLOG_ROLES: 'worker',
            TASKLOG_TOPIC_PREFIX: prefix,
            TASKLOG_DB_SCHEMA: schema,
            TASKLOG_PARTITIONS: String(o.partitions),
            TASKLOG_CONCURRENCY: '50',
            TASKLOG_LOG_LEVEL: 'warn',
            TASKLOG_WORKER_ID: `scale-${i}`,
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    }
    await waitForMembers(o.config.brokers, `${prefix}.workers`, o.workers, 120_000);
    const client = app.get(TaskClientService);
    const bar = new ProgressBar(o.tasks, 'completed');
    const cpu0 = { self: process.cpuUsage(), children: children.map((c) => cpuSeconds(c.pid!)) };
    const t0 = performance.now();
    let failed: Error | null = null;
    const enqueueing = pool(o.tasks, 2000, async (i) => {
      await client.enqueue('bench.noop', { i });
    }).catch((e: Error) => {
      failed = e;
    });
    const table = `${quoteIdentifier(schema)}.tasks`;
    const deadline = Date.now() + o.timeoutMs;
    for (;;) {
      const { rows } = await pg.query(`select count(*) filter (where status = 'completed')::int as n from ${table}`);
      bar.update(rows[0].n);
      if (failed) throw failed;
      if (rows[0].n >= o.tasks) break;
      if (Date.now() > deadline) throw new Error(`${o.workers} workers: only ${rows[0].n}/${o.tasks} completed in time`);
      await sleep(200);
    }
    await enqueueing;
    bar.finish(o.tasks);
    const wall = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(cpu0.self);
    const workerCpu = children.reduce((sum, c, i) => sum + cpuSeconds(c.pid!) - cpu0.children[i], 0);
    const { rows } = await pg.query(
      `select extract(epoch from max(projected_at) - min(created_at))::float8 as span from ${table} where status = 'completed'`,
    );
    const seconds = Number(rows[0].span);
    return {
      workers: o.workers,
      partitions: o.partitions,
      tasks: o.tasks,
      tasksPerSec: Math.round(o.tasks / seconds),
      seconds: round(seconds, 2),
      cpu: { workers: round(workerCpu / wall, 2), apiAndProjector: round((self.user + self.system) / 1e6 / wall, 2) },
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await withTimeout(app.close(), 60_000, 'closing the engine').catch(() => undefined);
    await pg.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`).catch(() => undefined);
    await pg.end().catch(() => undefined);
    await deleteKafkaState(o.config.brokers, allTopics(topicsFor(prefix)), [
      `${prefix}.workers`,
      `${prefix}.projector`,
      `${prefix}.projector-lanes`,
    ]);
  }
}

/** Waits until the worker group has `n` members with partitions assigned. */
async function waitForMembers(brokers: string[], groupId: string, n: number, timeoutMs: number): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [group] = (await admin.describeGroups([groupId])).groups;
      if (group.state === 'Stable' && group.members.length === n) return;
      if (Date.now() > deadline) throw new Error(`worker group ${groupId}: ${group.members.length}/${n} members, ${group.state}`);
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}
