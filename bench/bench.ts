// Throughput benchmark: the engine end to end (Kafka + worker + Postgres projection) against
// BullMQ on Redis and plain kafkajs moving the same messages on the same broker, then
// steady-rate latency for the engine and BullMQ. See docs/bench.md.
//
//   npm run bench                            20000 tasks, then 500,1000,2000/s for 10 s each
//   npm run bench -- --tasks 2000 --no-steady
//   npm run bench -- --steady 500,1000 --seconds 5
import 'reflect-metadata';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { loadDevConfig } from '../src/config';
import { parseArgs } from './args';
import { BullmqResult, redisAnswers, redisUrl, runBullmqSteady, runBullmqThroughput } from './bullmq-run';
import { BenchTimeout, runEngine } from './engine-run';
import { tapStdout } from './progress';
import { runRawCeiling } from './raw-run';
import { BacklogResult, runBacklog, runDelayed, runLanes } from './scenarios';
import { BenchReport, buildReport, buildSteady, printSteady, printTable, SteadyReport, writeJson } from './report';
import { runEngineSteady } from './steady-run';
import { runScale } from './scale-run';
import { runId, say } from './util';

const ROOT = join(__dirname, '..', '..'); // dist/bench -> repo root

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write((e as Error).message + '\n');
    return 2;
  }
  const when = new Date();
  const cpuCount = cpus().length;
  const config = loadDevConfig();
  const logs = tapStdout();
  const id = runId();
  say(`tasklog bench: ${args.tasks} tasks, node ${process.version}, ${cpuCount} cpus, up to ${args.inFlight} enqueues in flight`);
  say(`kafka ${config.brokers.join(',')}, postgres ${config.databaseUrl.replace(/(:\/\/[^:/@]*):[^@/]*@/, '$1:***@')}, run id ${id}`);

  if (args.delayed || args.lanes) return runScenarios(args, config, id);
  if (args.scale.length) {
    const tasks = Math.min(args.tasks, 20000);
    say(`\n== scale: ${tasks} no-op tasks with ${args.scale.join(', ')} worker processes, ${args.partitions} partitions ==`);
    try {
      const scale = await runScale({
        counts: args.scale,
        partitions: args.partitions,
        tasks,
        id: `${id}x`,
        config,
        timeoutMs: args.timeoutS * 1000,
      });
      say(`\n${'workers'.padEnd(9)}${'tasks/s'.padStart(9)}${'CPU s/s workers'.padStart(17)}${'CPU s/s api+projector'.padStart(23)}`);
      for (const e of scale)
        say(
          `${String(e.workers).padEnd(9)}${String(e.tasksPerSec).padStart(9)}${String(e.cpu.workers).padStart(17)}${String(e.cpu.apiAndProjector).padStart(23)}`,
        );
      const file = writeJson(
        join(ROOT, 'bench', 'results'),
        { when: when.toISOString(), node: process.version, cpus: cpuCount, scale },
        'scale.json',
      );
      say(`wrote ${relative(process.cwd(), file) || file}`);
      return 0;
    } catch (e) {
      say(`ERROR: scale run failed: ${(e as Error).stack ?? e}`);
      return 1;
    }
  }
  if (args.backlogOnly) {
    const memory = await runMemory(args, config, `${id}m`);
    if (!memory) return 1;
    const file = writeJson(join(ROOT, 'bench', 'results'), { when: when.toISOString(), node: process.version, memory }, 'memory.json');
    say(`wrote ${relative(process.cwd(), file) || file}`);
    return 0;
  }

  const redis = redisUrl();
  const hasRedis = await redisAnswers(redis);
  if (!hasRedis) say(`BullMQ: skipped, no Redis answers at ${redis.replace(/\/\/[^@/]*@/, '//***@')} (set REDIS_URL)`);
  const results = join(ROOT, 'bench', 'results');

  if (args.steadyOnly) {
    const steady = await runSteady(args, config, id, hasRedis ? redis : null);
    if (!steady) return 1;
    const file = writeJson(results, { when: when.toISOString(), node: process.version, cpus: cpuCount, ...steady }, 'steady.json');
    say(`wrote ${relative(process.cwd(), file) || file}`);
    return 0;
  }

  say('\n== engine: enqueue -> worker -> projector (Postgres) ==');
  let engine;
  try {
    engine = await runEngine({
      tasks: args.tasks,
      inFlight: args.inFlight,
      id,
      config,
      completionTimeoutMs: args.timeoutS * 1000,
      timeline: args.timeline,
    });
  } catch (e) {
    say(`ERROR: ${(e as Error).message}`);
    if (!(e instanceof BenchTimeout)) say((e as Error).stack ?? '');
    return 1;
  }
  say(
    `engine: ${engine.tasks} tasks in ${engine.seconds.toFixed(2)} s, ${engine.tasksPerSec} tasks/s; enqueue ${engine.enqueuePerSec}/s; ` +
      `event loop delay p50/p99/max ${engine.eventLoopDelayMs.p50}/${engine.eventLoopDelayMs.p99}/${engine.eventLoopDelayMs.max} ms`,
  );

  let bullmq: BullmqResult | null = null;
  if (hasRedis) {
    say('\n== BullMQ: the same no-op tasks, concurrency 50, queue.add with the same in-flight limit ==');
    try {
      bullmq = await runBullmqThroughput({ tasks: args.tasks, inFlight: args.inFlight, id, url: redis, timeoutMs: args.timeoutS * 1000 });
    } catch (e) {
      say(`ERROR: BullMQ run failed: ${(e as Error).stack ?? e}`);
      return 1;
    }
    say(`bullmq: ${args.tasks} jobs in ${bullmq.seconds.toFixed(2)} s, ${bullmq.tasksPerSec} tasks/s; add ${bullmq.enqueuePerSec}/s`);
  }

  const raws = [];
  for (const mode of ['batched', 'transactional'] as const) {
    say(
      mode === 'batched'
        ? '\n== kafkajs ceiling: same messages, no engine logic; idempotent batched produce, 8 sends in flight =='
        : '\n== kafkajs in transactions: the same, produced in sequential transactions of 1000 tasks ==',
    );
    try {
      const raw = await runRawCeiling({
        tasks: args.tasks,
        id,
        brokers: config.brokers,
        mode,
        tasksPerSend: mode === 'batched' ? 200 : 1000,
        sendsInFlight: 8,
        timeoutMs: args.timeoutS * 1000,
      });
      raws.push(raw);
      say(
        `kafkajs ${mode}: ${raw.messages} messages in ${raw.seconds.toFixed(2)} s, ${raw.tasksPerSec} tasks/s; ` +
          `client produce alone ${raw.produceSeconds.toFixed(2)} s` +
          (raw.concurrentTxRetries
            ? ` (kafkajs logged ${raw.concurrentTxRetries} CONCURRENT_TRANSACTIONS retry line(s), expected: ADR 0001)`
            : ''),
      );
    } catch (e) {
      say(`ERROR: kafkajs ${mode} run failed: ${(e as Error).stack ?? e}`);
      return 1;
    }
  }

  const engineLogs = { warn: logs.warn, error: logs.error };
  const report: BenchReport = buildReport({ when, tasks: args.tasks, cpus: cpuCount }, engine, raws[0], raws[1], bullmq, engineLogs);
  printTable(report);
  if (!args.noSteady) {
    const steady = await runSteady(args, config, `${id}s`, hasRedis ? redis : null);
    if (!steady) return 1;
    Object.assign(report, steady);
  }
  if (!args.noBacklog) {
    const memory = await runMemory(args, config, `${id}m`);
    if (!memory) return 1;
    report.memory = memory;
  }
  if (logs.warn || logs.error) {
    say(`engine logged ${logs.warn} warn and ${logs.error} error line(s):`);
    const top = [...logs.messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [msg, n] of top) say(`  ${String(n).padStart(6)}x ${msg}`);
  }
  const file = writeJson(results, report);
  say(`wrote ${relative(process.cwd(), file) || file}`);
  return 0;
}

/** Steady-rate latency: a fresh engine, then BullMQ, at each rate in turn; null after an error. */
async function runSteady(
  args: ReturnType<typeof parseArgs>,
  config: ReturnType<typeof loadDevConfig>,
  id: string,
  redis: string | null,
): Promise<SteadyReport | null> {
  const timeoutMs = args.timeoutS * 1000;
  try {
    say(`\n== steady rate: ${args.steadyRates.join(', ')} tasks/s, ${args.seconds} s each, paced by a timer ==`);
    const engine = await runEngineSteady({ rates: args.steadyRates, seconds: args.seconds, id, config, timeoutMs });
    const bullmq = redis ? await runBullmqSteady({ rates: args.steadyRates, seconds: args.seconds, id, url: redis, timeoutMs }) : null;
    const steady = buildSteady(args.seconds, engine, bullmq);
    printSteady(steady);
    return steady;
  } catch (e) {
    say(`ERROR: steady-rate run failed: ${(e as Error).stack ?? e}`);
    return null;
  }
}

/** Memory with a backlog: the engine process holding `args.backlog` waiting tasks; null after an error. */
async function runMemory(
  args: ReturnType<typeof parseArgs>,
  config: ReturnType<typeof loadDevConfig>,
  id: string,
): Promise<(BacklogResult & { workerRssMb: number }) | null> {
  say(`\n== memory: ${args.backlog} tasks waiting behind 50 held slots (engine process, all roles) ==`);
  try {
    const r = await runBacklog({ id, config, timeoutMs: args.timeoutS * 1000 }, args.backlog);
    say(
      `backlog of ${r.tasks} enqueued in ${r.enqueueSeconds} s; RSS before ${r.rssMb.before} MB, peak ${r.rssMb.peak} MB, ` +
        `settled ${r.rssMb.settled} MB (heap used ${r.heapUsedMb} MB)` +
        (r.afterGc
          ? `, after a full GC ${r.afterGc.rssMb} MB (heap used ${r.afterGc.heapUsedMb} of ${r.afterGc.heapTotalMb} MB, external ${r.afterGc.externalMb} MB)`
          : '') +
        `; the worker holds ${r.workerInFlight} commands`,
    );
    return { ...r, workerRssMb: r.rssMb.settled };
  } catch (e) {
    say(`ERROR: backlog run failed: ${(e as Error).stack ?? e}`);
    return null;
  }
}

/** `--delayed` and `--lanes`: lifecycle figures instead of the throughput comparison. */
async function runScenarios(args: ReturnType<typeof parseArgs>, config: ReturnType<typeof loadDevConfig>, id: string): Promise<number> {
  const timeoutMs = args.timeoutS * 1000;
  if (args.delayed) {
    const tasks = Math.min(args.tasks, 10000);
    say(`\n== scheduler lateness: ${tasks} delayed tasks due at 1000/s ==`);
    const late = await runDelayed({ id: `${id}d`, config, timeoutMs }, tasks, 1000);
    say(`lateness (start - runAt) ms: p50 ${late.p50}, p99 ${late.p99}, max ${late.max}, min ${late.min}`);
  }
  if (args.lanes) {
    const perLane = Math.min(Math.floor(args.tasks / 3), 1000);
    say(`\n== priority lanes under saturation: ${perLane} tasks per lane of 20 ms, concurrency 10 ==`);
    const lanes = await runLanes({ id: `${id}l`, config, timeoutMs }, perLane, 10, 20);
    say(`${'lane'.padEnd(8)}${'wait p50 ms'.padStart(13)}${'p99 ms'.padStart(10)}${'max ms'.padStart(10)}`);
    for (const lane of ['high', 'normal', 'low']) {
      const w = lanes[lane];
      if (w) say(`${lane.padEnd(8)}${String(w.p50).padStart(13)}${String(w.p99).padStart(10)}${String(w.max).padStart(10)}`);
    }
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`bench crashed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
