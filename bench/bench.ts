// Throughput benchmark: the engine end to end (Kafka + worker + Postgres projection) against
// plain kafkajs moving the same messages on the same broker. See docs/bench.md.
//
//   npm run bench                  20000 tasks
//   npm run bench -- --tasks 2000
import 'reflect-metadata';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { loadConfig } from '../src/config';
import { parseArgs } from './args';
import { BenchTimeout, runEngine } from './engine-run';
import { tapStdout } from './progress';
import { runRawCeiling } from './raw-run';
import { runDelayed, runLanes } from './scenarios';
import { buildReport, printTable, writeJson } from './report';
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
  const config = loadConfig();
  const logs = tapStdout();
  const id = runId();
  say(`tasklog bench: ${args.tasks} tasks, node ${process.version}, ${cpuCount} cpus, up to ${args.inFlight} enqueues in flight`);
  say(`kafka ${config.brokers.join(',')}, postgres ${config.databaseUrl.replace(/(:\/\/[^:/@]*):[^@/]*@/, '$1:***@')}, run id ${id}`);

  if (args.delayed || args.lanes) return runScenarios(args, config, id);

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

  say('\n== kafkajs ceiling: same messages, no engine logic ==');
  let raw;
  try {
    raw = await runRawCeiling({
      tasks: args.tasks,
      id,
      brokers: config.brokers,
      tasksPerTransaction: 1000,
      timeoutMs: args.timeoutS * 1000,
    });
  } catch (e) {
    say(`ERROR: kafkajs ceiling run failed: ${(e as Error).stack ?? e}`);
    return 1;
  }
  say(
    `kafkajs ceiling: ${raw.messages} messages in ${raw.seconds.toFixed(2)} s, ${raw.tasksPerSec} tasks/s` +
      (raw.concurrentTxRetries
        ? ` (kafkajs logged ${raw.concurrentTxRetries} CONCURRENT_TRANSACTIONS retry line(s), expected: ADR 0001)`
        : ''),
  );

  const engineLogs = { warn: logs.warn, error: logs.error };
  const report = buildReport({ when, tasks: args.tasks, cpus: cpuCount }, engine, raw, engineLogs);
  printTable(report);
  if (logs.warn || logs.error) {
    say(`engine logged ${logs.warn} warn and ${logs.error} error line(s):`);
    const top = [...logs.messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [msg, n] of top) say(`  ${String(n).padStart(6)}x ${msg}`);
  }
  const file = writeJson(join(ROOT, 'bench', 'results'), report);
  say(`wrote ${relative(process.cwd(), file) || file}`);
  return 0;
}

/** `--delayed` and `--lanes`: lifecycle figures instead of the throughput comparison. */
async function runScenarios(args: ReturnType<typeof parseArgs>, config: ReturnType<typeof loadConfig>, id: string): Promise<number> {
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
