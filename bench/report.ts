import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BullmqResult } from './bullmq-run';
import { EngineResult, Percentiles } from './engine-run';
import { RawResult } from './raw-run';
import { Summary } from './stats';
import { EngineSteadyResult } from './steady-run';
import { round, say } from './util';

export interface SteadyEntry {
  rate: number;
  /** enqueue->start (created_at -> started_at in the read model). */
  engine: Summary;
  /** enqueue->projected: created_at -> the row's final projector write. */
  engineProjected: Summary;
  /** enqueue->start: job.timestamp -> job.processedOn; null when Redis did not answer. */
  bullmq: Summary | null;
}

export interface SteadyReport {
  seconds: number;
  firstTaskAfterReadyMs: number;
  steady: SteadyEntry[];
}

/** `enqueuePerSec`: tasks / the client's produce phase alone (first send to last ack). */
interface RawFigures {
  tasksPerSec: number;
  seconds: number;
  enqueuePerSec: number;
}

const rawFigures = (r: RawResult): RawFigures => ({
  tasksPerSec: r.tasksPerSec,
  seconds: r.seconds,
  enqueuePerSec: r.producePerSec,
});

export interface BenchReport extends Partial<SteadyReport> {
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
  /** Idempotent batched produce, several sends in flight, eachBatch consume. */
  kafkajsCeiling: RawFigures;
  /** The same traffic produced in sequential transactions (the engine's enqueue shape). */
  kafkajsTransactional: RawFigures | null;
  /** engine / kafkajsCeiling */
  ratio: number;
  bullmq: { tasksPerSec: number; seconds: number; enqueuePerSec: number; latencyMs: BullmqResult['latencyMs'] } | null;
  /** engine / bullmq */
  ratioToBullmq: number | null;
  /** The engine process holding a backlog (`workerRssMb`: settled RSS with it). */
  memory?: { workerRssMb: number; tasks: number; rssMb: { before: number; peak: number; settled: number } };
}

export function buildReport(
  meta: { when: Date; tasks: number; cpus: number },
  engine: EngineResult,
  raw: RawResult,
  rawTx: RawResult | null,
  bullmq: BullmqResult | null,
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
    kafkajsCeiling: rawFigures(raw),
    kafkajsTransactional: rawTx && rawFigures(rawTx),
    ratio: round(engine.tasksPerSec / raw.tasksPerSec, 3),
    bullmq: bullmq && {
      tasksPerSec: bullmq.tasksPerSec,
      seconds: bullmq.seconds,
      enqueuePerSec: bullmq.enqueuePerSec,
      latencyMs: bullmq.latencyMs,
    },
    ratioToBullmq: bullmq && round(engine.tasksPerSec / bullmq.tasksPerSec, 3),
  };
}

export function buildSteady(seconds: number, engine: EngineSteadyResult, bullmq: Summary[] | null): SteadyReport {
  return {
    seconds,
    firstTaskAfterReadyMs: engine.firstTaskAfterReadyMs,
    steady: engine.rates.map((e, i) => ({
      rate: e.rate,
      engine: e.enqueueToStart,
      engineProjected: e.enqueueToProjected,
      bullmq: bullmq ? bullmq[i] : null,
    })),
  };
}

export function printTable(r: BenchReport): void {
  const pct = (p: Percentiles) => `${fmt(p.p50)} / ${fmt(p.p99)}`;
  const b = r.bullmq;
  const tx = r.kafkajsTransactional;
  const rows: string[][] = [
    ['', 'engine', 'BullMQ', 'kafkajs ceiling', 'kafkajs in tx'],
    [
      'tasks/s (end to end)',
      fmt(r.engine.tasksPerSec),
      b ? fmt(b.tasksPerSec) : 'skipped',
      fmt(r.kafkajsCeiling.tasksPerSec),
      tx ? fmt(tx.tasksPerSec) : '-',
    ],
    ['wall time s', fmt(r.engine.seconds, 2), b ? fmt(b.seconds, 2) : '-', fmt(r.kafkajsCeiling.seconds, 2), tx ? fmt(tx.seconds, 2) : '-'],
    [
      'enqueue/s',
      fmt(r.engine.enqueuePerSec),
      b ? fmt(b.enqueuePerSec) : '-',
      fmt(r.kafkajsCeiling.enqueuePerSec),
      tx ? fmt(tx.enqueuePerSec) : '-',
    ],
    ['ratio engine/BullMQ', r.ratioToBullmq === null ? '-' : r.ratioToBullmq.toFixed(2), '', '', ''],
    ['ratio engine/ceiling', r.ratio.toFixed(2), '', '', tx ? `engine/tx ${(r.engine.tasksPerSec / tx.tasksPerSec).toFixed(2)}` : ''],
    ['enqueue->start     p50/p99 ms', pct(r.engine.latencyMs.enqueueToStart), b ? pct(b.latencyMs.enqueueToStart) : '-', '-', '-'],
    ['enqueue->completed p50/p99 ms', pct(r.engine.latencyMs.enqueueToCompleted), b ? pct(b.latencyMs.enqueueToCompleted) : '-', '-', '-'],
    ['enqueue->projected p50/p99 ms', pct(r.engine.latencyMs.enqueueToProjected), '-', '-', '-'],
  ];
  say();
  printRows(rows);
  say();
}

export function printSteady(s: SteadyReport): void {
  const q = (x: Summary | null) => (x ? `${fmt(x.p50, 1)} / ${fmt(x.p90, 1)} / ${fmt(x.p99, 1)} / ${fmt(x.max)}` : 'skipped');
  const rows: string[][] = [
    ['rate/s', 'engine enqueue->start', 'engine enqueue->projected', 'BullMQ enqueue->start'],
    ...s.steady.map((e) => [String(e.rate), q(e.engine), q(e.engineProjected), q(e.bullmq)]),
  ];
  say();
  say(`steady rate, ${s.seconds} s per rate; latencies in ms, p50 / p90 / p99 / max`);
  printRows(rows);
  say(`engine: first task after ready, enqueue->start ${fmt(s.firstTaskAfterReadyMs, 1)} ms`);
  say();
}

function printRows(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)) + 3);
  for (const row of rows) say(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(''));
}

export function writeJson(dir: string, r: object, name = 'latest.json'): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

function fmt(x: number, digits = 0): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
