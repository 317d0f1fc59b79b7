import { randomUUID } from 'node:crypto';
import { Consumer } from 'kafkajs';
import { withDeadline } from '../common/deadline';
import { JsonLogger } from '../common/logger';
import { onFatalCrash } from './consumer-lifecycle';
import { KafkaClient } from './kafka.client';

export interface CompactedReaderOptions {
  topic: string;
  /** Prefix of the reader's throw-away group id (it never commits, so the group leaves no trace). */
  groupPrefix: string;
  logger: JsonLogger;
}

/**
 * Keeps the latest value per key of a compacted topic in memory: reads from its start with a
 * group of its own, drops a key at its tombstone. Started on first use and kept running.
 */
export class CompactedReader {
  private readonly values = new Map<string, Buffer>();
  private consumer: Consumer | null = null;
  private starting: Promise<{ caughtUp: Promise<void> }> | null = null;
  private stopping = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: CompactedReaderOptions,
  ) {}

  /** The latest value of each key still present. */
  entries(): [string, Buffer][] {
    return [...this.values];
  }

  /**
   * Starts the reader if it is not running (fails when Kafka cannot be reached), then waits up to
   * `timeoutMs` until it has read as far as the topic went when it started, so a first answer is
   * not a half-read table. Past that wait it resolves anyway, with what it has.
   */
  async ready(timeoutMs: number): Promise<void> {
    this.starting ??= this.start().catch((e) => {
      this.starting = null;
      throw e;
    });
    const { caughtUp } = await withDeadline(this.starting, timeoutMs, 'Kafka');
    await withDeadline(caughtUp, timeoutMs, 'the compacted topic').catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const consumer = this.consumer;
    this.consumer = null;
    this.starting = null;
    await consumer?.disconnect().catch(() => undefined);
  }

  private async start(): Promise<{ caughtUp: Promise<void> }> {
    this.stopping = false;
    const o = this.options;
    // The offset each non-empty partition must be read past; compaction may have removed the
    // records just before it, so any offset at or past the last one counts.
    const pending = new Map(
      [...(await this.kafka.offsetRanges(o.topic))].filter(([, r]) => r.high > r.low).map(([p, r]) => [p, r.high - 1]),
    );
    let reached!: () => void;
    const caughtUp = new Promise<void>((resolve) => (reached = resolve));
    if (pending.size === 0) reached();
    const consumer = this.kafka.consumer({
      groupId: `${o.groupPrefix}.${randomUUID()}`,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    onFatalCrash(consumer, (error) => {
      if (this.consumer !== consumer || this.stopping) return;
      o.logger.write('warn', 'compacted topic reader stopped on an error; it restarts on next use', { topic: o.topic, err: error });
      this.consumer = null;
      this.starting = null;
      void consumer.disconnect().catch(() => undefined);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const key = message.key?.toString();
          if (key !== undefined) {
            if (message.value === null) this.values.delete(key);
            else this.values.set(key, message.value);
          }
          const last = pending.get(partition);
          if (last !== undefined && Number(message.offset) >= last) {
            pending.delete(partition);
            if (pending.size === 0) reached();
          }
        },
      });
    } catch (e) {
      this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw e;
    }
    return { caughtUp };
  }
}
