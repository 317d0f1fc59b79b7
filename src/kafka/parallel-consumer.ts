import { Consumer, EachBatchPayload } from 'kafkajs';
import { retryWithBackoff } from '../common/retry';
import { JsonLogger } from '../common/logger';
import { KafkaClient, toInMessage } from './kafka.client';
import { InMessage } from './kafka.types';
import { onFatalCrash, startConsumer } from './consumer-lifecycle';
import { OffsetTracker } from './offset-tracker';
import { Semaphore } from './semaphore';

/**
 * A handler may return `durable`: its slot is freed when `handle` resolves, but the offset
 * only counts as finished once `durable` does (e.g. once the outcome is written to Kafka).
 */
export type HandleResult = void | { durable: Promise<void> };

export interface ParallelConsumerOptions {
  groupId: string;
  topics: string[];
  concurrency: number;
  /** Fetched but unfinished messages above which partitions are paused. */
  maxBuffered: number;
  sessionTimeoutMs: number;
  logger: JsonLogger;
  handle: (message: InMessage) => Promise<HandleResult>;
  /** Messages with the same key run one after another, in offset order. */
  keyOf?: (message: InMessage) => string | null;
}

/**
 * Key-ordered parallel processing on top of kafkajs: the fetch loop only dispatches, handlers
 * run beside it (so heartbeats never stall), and per partition only the highest contiguous
 * finished offset is committed. Concurrency is therefore not capped by partition count.
 */
export class ParallelConsumer {
  private consumer: Consumer | null = null;
  private readonly slots: Semaphore;
  private readonly trackers = new Map<string, OffsetTracker>();
  private readonly running = new Map<string, Promise<boolean>>();
  private readonly keyTails = new Map<string, Promise<boolean>>();
  private buffered = 0;
  private paused = false;
  private stopping = false;
  private commitTimer: NodeJS.Timeout | null = null;
  private readonly committed = new Map<string, number>();
  joins = 0;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: ParallelConsumerOptions,
  ) {
    this.slots = new Semaphore(options.concurrency);
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const o = this.options;
    const consumer = this.kafka.consumer({
      groupId: o.groupId,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: Math.floor(o.sessionTimeoutMs / 6),
      rebalanceTimeout: Math.max(60000, o.sessionTimeoutMs),
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      readUncommitted: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment));
    onFatalCrash(consumer, (error) => {
      if (this.consumer !== consumer || this.stopping) return;
      o.logger.write('warn', 'consumer stopped on an error; starting a new one', { groupId: o.groupId, error: error.message });
      void this.reconnect();
    });
    await startConsumer(consumer, o.topics, {
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.dispatch(payload),
    }).catch((e) => {
      this.consumer = null;
      throw e;
    });
  }

  /** A new consumer after one gave up (broker gone too long). Running work is kept and deduplicated. */
  private async reconnect(): Promise<void> {
    const old = this.consumer;
    this.consumer = null;
    this.paused = false;
    this.trackers.clear();
    this.committed.clear();
    await old?.disconnect().catch(() => undefined);
    await retryWithBackoff(() => this.connect(), {
      initialMs: 1000,
      maxMs: 30000,
      stop: () => this.stopping,
      onError: (e, retryInMs) =>
        this.options.logger.write('warn', 'consumer reconnect failed; retrying', {
          groupId: this.options.groupId,
          error: e.message,
          retryInMs,
        }),
    }).catch(() => undefined);
  }

  /** Stops fetching, lets running handlers finish, commits, then leaves the group. */
  async stop(drainTimeoutMs = 30000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const consumer = this.consumer;
    consumer?.pause(this.options.topics.map((topic) => ({ topic })));
    const deadline = Date.now() + drainTimeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.running.values()]), sleep(200)]);
    }
    await this.commit();
    await consumer?.disconnect().catch(() => undefined);
    this.consumer = null;
  }

  get inFlight(): number {
    return this.running.size;
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    this.joins += 1;
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) for (const p of partitions) assigned.add(`${topic}:${p}`);
    for (const id of [...this.trackers.keys()]) if (!assigned.has(id)) this.trackers.delete(id);
    for (const id of assigned) if (!this.trackers.has(id)) this.trackers.set(id, new OffsetTracker());
    this.options.logger.write('info', 'partitions assigned', { groupId: this.options.groupId, partitions: [...assigned] });
  }

  private async dispatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const id = `${batch.topic}:${batch.partition}`;
    for (const raw of batch.messages) {
      if (!isRunning() || isStale() || this.stopping) break;
      const message = toInMessage(batch.topic, batch.partition, raw);
      let tracker = this.trackers.get(id);
      if (!tracker) this.trackers.set(id, (tracker = new OffsetTracker()));
      const offset = Number(raw.offset);
      tracker.track(offset);
      const runKey = `${id}:${raw.offset}`;
      // A message re-fetched after a rebalance while it still runs here is not run twice.
      const work = this.running.get(runKey) ?? this.schedule(runKey, message);
      const t = tracker;
      // Unfinished work (its outcome never reached Kafka) holds the offset back: redelivered later.
      void work.then((finished) => {
        if (!finished) return;
        t.finish(offset);
        this.scheduleCommit();
      });
      resolveOffset(raw.offset);
    }
    this.applyBackPressure();
  }

  private schedule(runKey: string, message: InMessage): Promise<boolean> {
    const key = this.options.keyOf?.(message) ?? null;
    const previous: Promise<unknown> = key ? (this.keyTails.get(key) ?? Promise.resolve()) : Promise.resolve();
    this.buffered += 1;
    const work = previous
      .then(() => this.slots.acquire())
      .then(async () => {
        let durable: Promise<void> | undefined;
        try {
          durable = (await this.options.handle(message))?.durable;
        } catch (e) {
          this.options.logger.write('error', 'message handler threw; the message will be redelivered', {
            runKey,
            error: (e as Error).message,
          });
          return false;
        } finally {
          this.slots.release();
        }
        try {
          await durable;
          return true;
        } catch (e) {
          this.options.logger.write('error', 'message outcome not written; it will be redelivered', {
            runKey,
            error: (e as Error).message,
          });
          return false;
        }
      })
      .finally(() => {
        this.running.delete(runKey);
        this.buffered -= 1;
        if (key && this.keyTails.get(key) === work) this.keyTails.delete(key);
        this.applyBackPressure();
      });
    this.running.set(runKey, work);
    if (key) this.keyTails.set(key, work);
    return work;
  }

  private applyBackPressure(): void {
    const consumer = this.consumer;
    if (!consumer || this.stopping) return;
    const topics = this.options.topics.map((topic) => ({ topic }));
    if (!this.paused && this.buffered >= this.options.maxBuffered) {
      this.paused = true;
      consumer.pause(topics);
    } else if (this.paused && this.buffered <= this.options.maxBuffered / 2) {
      this.paused = false;
      consumer.resume(topics);
    }
  }

  private scheduleCommit(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      void this.commit();
    }, 50);
  }

  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const [id, tracker] of this.trackers) {
      const next = tracker.committable();
      if (next === null || this.committed.get(id) === next) continue;
      const sep = id.lastIndexOf(':');
      offsets.push({ topic: id.slice(0, sep), partition: Number(id.slice(sep + 1)), offset: String(next) });
    }
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
      for (const o of offsets) this.committed.set(`${o.topic}:${o.partition}`, Number(o.offset));
    } catch (e) {
      // A commit lost to a rebalance only means a redelivery later; the next commit retries.
      this.options.logger.write('warn', 'offset commit failed', { error: (e as Error).message });
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
