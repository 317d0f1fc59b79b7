import { Writable } from 'node:stream';
import { once } from 'node:events';
import { decodeEvent, EventType } from '../events';
import { InMessage, KafkaClient, readTopicRange } from '../kafka';
import { csvHeader, eventLine, ExportedEvent, ExportFormat } from './event-line';

export interface ExportOptions {
  eventsTopic: string;
  fromMs: number;
  toMs: number;
  type?: EventType | string;
  tenant?: string;
  format: ExportFormat;
  out: Writable;
  onProgress?: (read: number, total: number) => void;
}

export interface ExportStats {
  /** Events written (after the type and tenant filters). */
  events: number;
  /** Records read from Kafka in the range. */
  records: number;
  /** Records that are not valid events (they sit in the DLQ too), skipped. */
  skipped: number;
  ms: number;
}

/**
 * Writes the events of a time range, one per line, in Kafka order per partition (so in order per
 * task). Old versions are upcast like everywhere else (decodeEvent). Reads Kafka only: the live
 * projection is neither read nor moved.
 *
 *   await exportEvents(kafka, { eventsTopic: 'tasklog.events', fromMs, toMs, format: 'jsonl', out: process.stdout });
 */
export async function exportEvents(kafka: KafkaClient, o: ExportOptions): Promise<ExportStats> {
  const began = Date.now();
  const stats: ExportStats = { events: 0, records: 0, skipped: 0, ms: 0 };
  if (o.format === 'csv') await write(o.out, csvHeader());
  const { records } = await readTopicRange(kafka, {
    topic: o.eventsTopic,
    fromMs: o.fromMs,
    toMs: o.toMs,
    onProgress: o.onProgress,
    onRecords: async (batch) => {
      let chunk = '';
      for (const m of batch) {
        const e = exported(m, o);
        if (e === null) stats.skipped += 1;
        else if (e) {
          chunk += eventLine(e, o.format);
          stats.events += 1;
        }
      }
      if (chunk) await write(o.out, chunk);
    },
  });
  stats.records = records;
  stats.ms = Date.now() - began;
  return stats;
}

/** The event to write, false when filtered out, null when the record is not an event. */
function exported(m: InMessage, o: ExportOptions): ExportedEvent | false | null {
  if (o.type && m.headers['event-type'] && m.headers['event-type'] !== o.type) return false;
  try {
    const e = decodeEvent(m.value);
    if ((o.type && e.type !== o.type) || (o.tenant && e.tenantId !== o.tenant)) return false;
    return { ...e, partition: m.partition, offset: m.offset };
  } catch {
    return null;
  }
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
