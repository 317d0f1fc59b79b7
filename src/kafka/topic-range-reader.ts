import { randomUUID } from 'node:crypto';
import { Consumer } from 'kafkajs';
import { KafkaClient, toInMessage } from './kafka.client';
import { InMessage } from './kafka.types';

export interface TopicRange {
  topic: string;
  /** Records from this time on (Kafka record timestamps, ms since epoch). */
  fromMs: number;
  /** Records up to and including this time; the end offsets seen at start bound it too. */
  toMs: number;
  /** Called with each partition's records in offset order; awaited before the next batch. */
  onRecords: (records: InMessage[]) => Promise<void> | void;
  /** Called after each batch with the records read so far (control records included). */
  onProgress?: (read: number, total: number) => void;
}

export interface RangeStats {
  /** Offsets the range spans over all partitions (transaction markers included). */
  total: number;
  records: number;
}

/**
 * Reads a time range of a topic with a throw-away consumer: a fresh group id, no commits, so it
 * never moves another group's offsets (the projection's included). Each partition starts at the
 * offset for `fromMs` (fetchTopicOffsetsByTimestamp) and stops at the end offset captured at
 * start or the offset for `toMs`, whichever comes first; so it ends even while events keep coming.
 */
export async function readTopicRange(kafka: KafkaClient, range: TopicRange): Promise<RangeStats> {
  const { start, end } = await rangeOffsets(kafka, range);
  return readOffsetRanges(kafka, { ...range, start, end });
}

export interface OffsetRanges {
  topic: string;
  /** Per partition, the first offset to read. */
  start: Map<number, number>;
  /** Per partition, the offset to stop before (a partition missing here is not read). */
  end: Map<number, number>;
  onRecords: TopicRange['onRecords'];
  onProgress?: TopicRange['onProgress'];
  /** Partitions handed to onRecords at once (each one's records stay in order); default 1. */
  concurrency?: number;
}

/** Reads `[start, end)` of each partition with a throw-away consumer (see readTopicRange). */
export async function readOffsetRanges(kafka: KafkaClient, range: OffsetRanges): Promise<RangeStats> {
  const { start, end } = range;
  const left = new Set([...start.keys()].filter((p) => end.has(p) && start.get(p)! < end.get(p)!));
  const total = [...left].reduce((n, p) => n + end.get(p)! - start.get(p)!, 0);
  const stats: RangeStats = { total, records: 0 };
  if (left.size === 0) return stats;

  const consumer = throwAwayConsumer(kafka);
  let read = 0;
  const finished = new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
    // Emitted for every batch, also one holding only transaction markers, with its last offset.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const p = payload.partition;
      if (!left.has(p)) return;
      const next = Number(payload.lastOffset) + 1;
      read = Math.min(total, read + Number(payload.batchSize));
      range.onProgress?.(read, total);
      if (next < end.get(p)!) return;
      left.delete(p);
      consumer.pause([{ topic: range.topic, partitions: [p] }]);
      if (left.size === 0) resolve();
    });
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [range.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: range.concurrency ?? 1,
      eachBatch: async ({ batch }) => {
        const from = start.get(batch.partition)!;
        const to = end.get(batch.partition)!;
        const records = batch.messages
          .filter((m) => Number(m.offset) >= from && Number(m.offset) < to)
          .map((m) => toInMessage(batch.topic, batch.partition, m));
        stats.records += records.length;
        if (records.length) await range.onRecords(records);
      },
    });
    for (const [partition, offset] of start) {
      if (left.has(partition)) consumer.seek({ topic: range.topic, partition, offset: String(offset) });
      else consumer.pause([{ topic: range.topic, partitions: [partition] }]);
    }
    await finished;
    return stats;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

/**
 * Follows a topic from its end with a throw-away consumer until `signal` aborts; for
 * `tasklog events tail`. Resolves once stopped.
 */
export async function followTopic(
  kafka: KafkaClient,
  topic: string,
  onRecord: (m: InMessage) => Promise<void> | void,
  signal: AbortSignal,
) {
  const consumer = throwAwayConsumer(kafka);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => onRecord(toInMessage(topic, partition, message)),
    });
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

function throwAwayConsumer(kafka: KafkaClient): Consumer {
  return kafka.consumer({
    groupId: `tasklog-reader-${randomUUID()}`,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 200,
  });
}

/** Per partition: the first offset at or after `fromMs`, and the end (captured now, or the first offset after `toMs`). */
async function rangeOffsets(kafka: KafkaClient, range: TopicRange): Promise<{ start: Map<number, number>; end: Map<number, number> }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const high = await admin.fetchTopicOffsets(range.topic);
    const from = await admin.fetchTopicOffsetsByTimestamp(range.topic, range.fromMs);
    const after = await admin.fetchTopicOffsetsByTimestamp(range.topic, range.toMs + 1);
    const start = new Map(from.map((p) => [p.partition, Number(p.offset)]));
    const end = new Map(
      high.map((p) => [
        p.partition,
        Math.min(Number(p.offset), Number(after.find((a) => a.partition === p.partition)?.offset ?? p.offset)),
      ]),
    );
    return { start, end };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
