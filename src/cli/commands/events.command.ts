import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { loadDevConfig } from '../../config';
import { decodeEvent } from '../../events';
import { eventLine, exportEvents, ExportFormat } from '../../export';
import { followTopic, topicsFor } from '../../kafka';
import { kafkaFor } from '../cli-context';

/** ISO 8601 (with a zone) or milliseconds since the epoch. */
export function parseTime(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`expected an ISO 8601 time or ms since the epoch, got "${value}"`);
  return ms;
}

interface ExportFlags {
  from: number;
  to?: number;
  type?: string;
  tenant?: string;
  format: ExportFormat;
  out?: string;
  progress: boolean;
}

/** `tasklog events export|tail`: the event history for analytics, from Kafka (never the projection). */
export function eventsCommand(): Command {
  const events = new Command('events').description('read the event history from Kafka (analytics, replay)');
  events
    .command('export')
    .description('write the events of a time range, one per line, in order per task')
    .requiredOption('--from <time>', 'first record time (ISO 8601 or ms since epoch)', parseTime)
    .option('--to <time>', 'last record time (default: now; the end offsets at start bound it too)', parseTime)
    .option('--type <type>', 'only this event type, e.g. task.failed')
    .option('--tenant <tenant>', 'only this tenant')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('--out <file>', 'write to this file (default: stdout)')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (flags: ExportFlags) => {
      const config = loadDevConfig();
      const kafka = kafkaFor(config, 'export');
      const out: Writable = flags.out ? createWriteStream(flags.out) : process.stdout;
      const bar = new SingleBar({
        stream: process.stderr,
        format: 'export |{bar}| {percentage}% | {value}/{total} records | {rate} events/s | ETA {eta_formatted}',
        hideCursor: true,
      });
      const began = Date.now();
      let barStarted = false;
      const stats = await exportEvents(kafka, {
        eventsTopic: topicsFor(config.topicPrefix).events,
        fromMs: flags.from,
        toMs: flags.to ?? Date.now(),
        type: flags.type,
        tenant: flags.tenant,
        format: flags.format,
        out,
        onProgress: flags.progress
          ? (read, total) => {
              if (!barStarted) bar.start(total, 0, { rate: 0 });
              barStarted = true;
              bar.update(read, { rate: Math.round(read / Math.max(0.001, (Date.now() - began) / 1000)) });
            }
          : undefined,
      });
      if (barStarted) bar.stop();
      if (flags.out) {
        out.end();
        await finished(out);
      }
      const eventsPerSecond = Math.round(stats.records / Math.max(0.001, stats.ms / 1000));
      process.stderr.write(JSON.stringify({ level: 'info', msg: 'export done', ...stats, eventsPerSecond }) + '\n');
    });
  events
    .command('tail')
    .description('follow new events live, one JSON line each, until interrupted')
    .option('--type <type>', 'only this event type')
    .option('--tenant <tenant>', 'only this tenant')
    .action(async (flags: { type?: string; tenant?: string }) => {
      const config = loadDevConfig();
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      await followTopic(
        kafkaFor(config, 'tail'),
        topicsFor(config.topicPrefix).events,
        (m) => {
          try {
            const e = decodeEvent(m.value);
            if ((flags.type && e.type !== flags.type) || (flags.tenant && e.tenantId !== flags.tenant)) return;
            process.stdout.write(eventLine({ ...e, partition: m.partition, offset: m.offset }, 'jsonl'));
          } catch {
            // Not an event (it is in the DLQ, dead-lettered by the projector); nothing to show.
          }
        },
        stop.signal,
      );
    });
  return events;
}
