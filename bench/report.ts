import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineResult, Percentiles } from './engine-run';
import { RawResult } from './raw-run';
import { round, say } from './util';

export interface BenchReport {
  when: string;
  tasks: number;
  node: string;
  cpus: number;
  engine: {
    tasksPerSec: number;
    enqueuePerSec: number;
    seconds: number;
    eventLoopDelayMs: EngineResult['eventLoopDelayMs'];
    latencyMs: EngineResult['latencyMs'];
    logs: { warn: number; error: number };
  };
  kafkajsCeiling: { tasksPerSec: number; seconds: number };
  ratio: number;
}

export function buildReport(
  meta: { when: Date; tasks: number; cpus: number },
  engine: EngineResult,
  raw: RawResult,
  logs: { warn: number; error: number },
): BenchReport {
  return {
    when: meta.when.toISOString(),
    tasks: meta.tasks,
    node: process.version,
    cpus: meta.cpus,
    engine: {
      tasksPerSec: engine.tasksPerSec,
      enqueuePerSec: engine.enqueuePerSec,
      seconds: engine.seconds,
      eventLoopDelayMs: engine.eventLoopDelayMs,
      latencyMs: engine.latencyMs,
      logs,
    },
    kafkajsCeiling: { tasksPerSec: raw.tasksPerSec, seconds: raw.seconds },
    ratio: round(engine.tasksPerSec / raw.tasksPerSec, 3),
  };
}

export function printTable(r: BenchReport): void {
  const pct = (p: Percentiles) => `${fmt(p.p50)} / ${fmt(p.p99)}`;
  const rows: [string, string, string][] = [
    ['', 'engine', 'kafkajs ceiling'],
    ['tasks/s (end to end)', fmt(r.engine.tasksPerSec), fmt(r.kafkajsCeiling.tasksPerSec)],
    ['wall time s', fmt(r.engine.seconds, 2), fmt(r.kafkajsCeiling.seconds, 2)],
    ['enqueue/s', fmt(r.engine.enqueuePerSec), '-'],
    ['ratio (engine/ceiling)', r.ratio.toFixed(2), ''],
    ['enqueue->start     p50/p99 ms', pct(r.engine.latencyMs.enqueueToStart), '-'],
    ['enqueue->completed p50/p99 ms', pct(r.engine.latencyMs.enqueueToCompleted), '-'],
    ['enqueue->projected p50/p99 ms', pct(r.engine.latencyMs.enqueueToProjected), '-'],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length)) + 2;
  const w1 = Math.max(...rows.map((x) => x[1].length)) + 2;
  say();
  for (const [a, b, c] of rows) say(`${a.padEnd(w0)}${b.padStart(w1)}   ${c}`);
  say();
}

export function writeJson(dir: string, r: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

function fmt(x: number, digits = 0): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
