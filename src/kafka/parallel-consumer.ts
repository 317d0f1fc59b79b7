import { setMaxListeners } from 'node:events';
import { Consumer, EachBatchPayload, PartitionAssigners } from 'kafkajs';
import { retryWithBackoff } from '../common/retry';
import { JsonLogger } from '../common/logger';
import { KafkaClient, toInMessage } from './kafka.client';
import { InMessage } from './kafka.types';
import { onFatalCrash, startConsumer } from './consumer-lifecycle';
import { OffsetTracker } from './offset-tracker';
import { RedeliveryMarks } from './redelivery-marks';
import { Semaphore } from './semaphore';
import { coPartitionedAssigner } from './co-partitioned.assigner';

/**
 * A handler may return `durable`: its slot is freed when `handle` resolves, but the offset
 * only counts as finished once `durable` does (e.g. once the outcome is written to Kafka).
 */
export type HandleResult = void | { durable: Promise<void> };

export interface ParallelConsumerOptions {
  groupId: string;
  topics: string[];
  concurrency: number;
  /** Fetched but unfinished messages of one topic above which that topic is paused. */
  maxBuffered: number;
  /**
   * Share of the slots per topic under saturation (priority lanes): waiting messages get a
   * freed slot by weighted round-robin over their topics. Topics not named weigh 1.
   */
  topicWeights?: Record<string, number>;
  /**
   * Offsets one partition may hold above its commit point (finished or not) before it is
   * paused: a message that never finishes must not let its tracker grow without bound.
   */
  maxPendingPerPartition: number;
  sessionTimeoutMs: number;
  logger: JsonLogger;
  handle: (message: InMessage) => Promise<HandleResult>;
  /** Messages with the same key run one after another, in offset order. */
  keyOf?: (message: InMessage) => string | null;
  /**
   * A further limit a message must pass before it takes one of the `concurrency` slots (e.g. a
   * task type's own cap). Taken first, so a message never holds a slot while it waits for it.
   */
  gateOf?: (message: InMessage) => Semaphore | null;
  /** Published in the group's member metadata (the worker id), so others can see who is alive. */
  memberTag?: string;
  /** Tries of `handle` for one message before the consumer restarts from its committed offsets. */
  handleAttempts?: number;
  /**
   * Hands back a message that will not run here because the consumer stops (never started,
   * or its handler gave it back). Resolving means it lives on elsewhere (re-published), so its
   * offset counts as finished; otherwise the offset stays uncommitted and is redelivered.
   */
  release?: (message: InMessage) => Promise<void>;
}

export interface StopOptions {
  /** How long running handlers may take before `onGraceExpired`. */
  graceMs: number;
  /** Called once at the grace deadline with handlers still running (to abort them). */
  onGraceExpired?: () => void;
  /** After the deadline, how long aborted handlers get to return before we leave anyway. */
  abandonMs?: number;
}

/**
 * Key-ordered parallel processing on top of kafkajs: the fetch loop only dispatches, handlers
 * run beside it (so heartbeats never stall), and per partition only the highest contiguous
 * finished offset is committed. Concurrency is therefore not capped by partition count.
 * Every message ends handled (its handler resolved), released at stop, or the consumer
 * restarts from its committed offsets with an error: nothing silently pins an offset.
 */
export class ParallelConsumer {
  private consumer: Consumer | null = null;
  private readonly slots: Semaphore;
  private readonly trackers = new Map<string, OffsetTracker>();
  private readonly running = new Map<string, Promise<boolean>>();
  private readonly keyTails = new Map<string, Promise<boolean>>();
  private readonly pausedPartitions = new Set<string>();
  /** Fetched, unfinished messages per topic; each topic (lane) is paused on its own. */
  private readonly buffered = new Map<string, number>();
  private readonly pausedTopics = new Set<string>();
  private stopping = false;
  private restarting = false;
  private halt = haltController();
  private commitTimer: NodeJS.Timeout | null = null;
  private readonly committed = new Map<string, string>();
  private readonly marks: RedeliveryMarks;
  joins = 0;
  restarts = 0;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: ParallelConsumerOptions,
  ) {
    this.slots = new Semaphore(options.concurrency, options.topicWeights);
    this.marks = new RedeliveryMarks(kafka, options.groupId, options.logger);
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.halt = haltController();
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
      // Round-robin stays second so a group mid rolling-upgrade (old members) can still agree on one.
      partitionAssigners: [coPartitionedAssigner(o.memberTag), PartitionAssigners.roundRobin],
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

  /** A new consumer, reading from the committed offsets. Running work is kept and deduplicated. */
  private async reconnect(): Promise<void> {
    const old = this.consumer;
    this.consumer = null;
    this.pausedTopics.clear();
    this.pausedPartitions.clear();
    this.trackers.clear();
    this.committed.clear();
    this.marks.forgetLocal();
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

  /**
   * Stops fetching and starts nothing more: messages waiting for a slot or for their key are
   * released at once (in key order); running handlers get `graceMs`, then `onGraceExpired`.
   * Commits what finished, then leaves the group.
   */
  async stop(options: StopOptions = { graceMs: 30000 }): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const consumer = this.consumer;
    consumer?.pause(this.options.topics.map((topic) => ({ topic })));
    this.halt.abort(new Error('consumer stopping'));
    if (!(await this.idle(options.graceMs))) {
      this.options.logger.write('warn', 'shutdown grace period over; aborting running handlers', {
        groupId: this.options.groupId,
        running: this.running.size,
      });
      options.onGraceExpired?.();
      if (!(await this.idle(options.abandonMs ?? 5000))) {
        this.options.logger.write('error', 'handlers still running after abort; their messages stay uncommitted and are redelivered', {
          groupId: this.options.groupId,
          running: this.running.size,
        });
      }
    }
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    await this.commit();
    await consumer?.disconnect().catch(() => undefined);
    this.consumer = null;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Waits until nothing runs (true) or `ms` pass (false). */
  private async idle(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.running.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.running.values()]), sleep(Math.min(200, Math.max(1, deadline - Date.now())))]);
    }
    // Lets the trackers hear about the last finished messages before the final commit.
    await new Promise((r) => setImmediate(r));
    return this.running.size === 0;
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    this.joins += 1;
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) for (const p of partitions) assigned.add(`${topic}:${p}`);
    for (const id of [...this.trackers.keys()]) if (!assigned.has(id)) this.trackers.delete(id);
    for (const id of [...this.pausedPartitions]) if (!assigned.has(id)) this.pausedPartitions.delete(id);
    for (const id of assigned) if (!this.trackers.has(id)) this.trackers.set(id, new OffsetTracker());
    this.options.logger.write('info', 'partitions assigned', { groupId: this.options.groupId, partitions: [...assigned] });
    this.marks.onAssignment(Object.keys(assignment));
  }

  private async dispatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const id = `${batch.topic}:${batch.partition}`;
    await this.marks.ready();
    for (const raw of batch.messages) {
      if (!isRunning() || isStale() || this.stopping) break;
      let tracker = this.trackers.get(id);
      if (!tracker) this.trackers.set(id, (tracker = new OffsetTracker()));
      // A partition whose commit point is pinned stops here (its rest is fetched again on resume).
      // Not for a full buffer: breaking off there made kafkajs fetch and decode the same big batch
      // over and over (6x slower in the bench); the buffer overshoots by at most one batch, then pauses.
      if (this.partitionFull(tracker)) break;
      const message = toInMessage(batch.topic, batch.partition, raw);
      const offset = Number(raw.offset);
      if (this.marks.wasStarted(id, offset)) message.redelivered = true;
      tracker.track(offset);
      const runKey = `${id}:${raw.offset}`;
      // A message re-fetched after a rebalance while it still runs here is not run twice.
      const work = this.running.get(runKey) ?? this.schedule(runKey, message);
      const t = tracker;
      // Once per message, after both its buffer slot and its tracker have moved.
      void work.then((finished) => {
        if (finished) {
          t.finish(offset);
          this.scheduleCommit();
        }
        this.applyBackPressure();
      });
      resolveOffset(raw.offset);
    }
    this.applyBackPressure();
  }

  private schedule(runKey: string, message: InMessage): Promise<boolean> {
    const key = this.options.keyOf?.(message) ?? null;
    const previous: Promise<unknown> = key ? (this.keyTails.get(key) ?? Promise.resolve()) : Promise.resolve();
    this.buffered.set(message.topic, (this.buffered.get(message.topic) ?? 0) + 1);
    const work = previous
      .then(() => this.run(runKey, message))
      .finally(() => {
        this.running.delete(runKey);
        this.buffered.set(message.topic, this.buffered.get(message.topic)! - 1);
        if (key && this.keyTails.get(key) === work) this.keyTails.delete(key);
      });
    this.running.set(runKey, work);
    if (key) this.keyTails.set(key, work);
    return work;
  }

  /** Resolves true once the message is finished (handled and durable, or released). */
  private async run(runKey: string, message: InMessage): Promise<boolean> {
    const gate = this.options.gateOf?.(message) ?? null;
    try {
      // No await without a gate: an extra tick would let a stop slip between dispatch and slot.
      if (gate) await gate.acquire(this.halt.signal, message.topic);
    } catch {
      return this.release(runKey, message);
    }
    try {
      await this.slots.acquire(this.halt.signal, message.topic);
    } catch {
      gate?.release();
      return this.release(runKey, message);
    }
    const free = () => {
      this.slots.release();
      gate?.release();
    };
    if (this.halt.signal.aborted) {
      free();
      return this.release(runKey, message);
    }
    this.markStarted(message);
    let durable: Promise<void> | undefined;
    try {
      durable = (await this.handleWithRetries(runKey, message))?.durable;
    } catch (e) {
      this.giveUp(runKey, 'message handler kept failing', e as Error);
      return false;
    } finally {
      free();
    }
    try {
      await durable;
      return true;
    } catch (e) {
      this.giveUp(runKey, 'message outcome not written', e as Error);
      return false;
    }
  }

  private async handleWithRetries(runKey: string, message: InMessage): Promise<HandleResult> {
    const attempts = this.options.handleAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        // Wrapped, not returned bare: an async function would wait for `durable` itself.
        return await this.options.handle(message);
      } catch (e) {
        if (attempt >= attempts || this.stopping) throw e;
        const retryInMs = 200 * 2 ** (attempt - 1);
        this.options.logger.write('warn', 'message handler threw; retrying', { runKey, attempt, retryInMs, error: (e as Error).message });
        await sleep(retryInMs);
      }
    }
  }

  private async release(runKey: string, message: InMessage): Promise<boolean> {
    if (!this.options.release) return false;
    try {
      await this.options.release(message);
      return true;
    } catch (e) {
      this.options.logger.write('warn', 'could not release a message at stop; it stays uncommitted and is redelivered', {
        runKey,
        error: (e as Error).message,
      });
      return false;
    }
  }

  /**
   * An unfinished message would pin its partition's commit point for good: read the partitions
   * again from their committed offsets instead (stopping, it is simply redelivered to the next owner).
   */
  private giveUp(runKey: string, what: string, error: Error): void {
    if (this.stopping) {
      this.options.logger.write('warn', `${what}; it will be redelivered`, { runKey, error: error.message });
      return;
    }
    this.options.logger.write('error', `${what}; restarting the consumer from its committed offsets`, {
      groupId: this.options.groupId,
      runKey,
      error: error.message,
    });
    if (this.restarting) return;
    this.restarting = true;
    this.restarts += 1;
    void this.commit()
      .then(() => this.reconnect())
      .finally(() => (this.restarting = false));
  }

  private overBuffered(topic: string): boolean {
    return (this.buffered.get(topic) ?? 0) >= this.options.maxBuffered;
  }

  private partitionFull(tracker: OffsetTracker): boolean {
    return tracker.inFlight >= this.options.maxPendingPerPartition;
  }

  private applyBackPressure(): void {
    const consumer = this.consumer;
    if (!consumer || this.stopping) return;
    for (const topic of this.options.topics) {
      if (!this.pausedTopics.has(topic) && this.overBuffered(topic)) {
        this.pausedTopics.add(topic);
        consumer.pause([{ topic }]);
      } else if (this.pausedTopics.has(topic) && (this.buffered.get(topic) ?? 0) <= this.options.maxBuffered / 2) {
        this.pausedTopics.delete(topic);
        // Resuming a whole topic also lifts its partition pauses; they are applied again below.
        consumer.resume([{ topic }]);
        for (const id of [...this.pausedPartitions]) if (topicPartition(id).topic === topic) this.pausedPartitions.delete(id);
      }
    }
    for (const [id, tracker] of this.trackers) {
      // Partition pauses wait for their topic's pause to lift: kafkajs would drop a topic-wide pause.
      if (this.pausedTopics.has(topicPartition(id).topic)) continue;
      if (!this.pausedPartitions.has(id) && this.partitionFull(tracker)) {
        this.pausedPartitions.add(id);
        consumer.pause([topicPartition(id)]);
      } else if (this.pausedPartitions.has(id) && tracker.inFlight <= this.options.maxPendingPerPartition / 2) {
        this.pausedPartitions.delete(id);
        consumer.resume([topicPartition(id)]);
      }
    }
  }

  private markStarted(message: InMessage): void {
    // Committed as metadata soon, so the next owner knows, should this process die.
    if (this.marks.markStarted(`${message.topic}:${message.partition}`, Number(message.offset))) this.scheduleCommit();
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
    const offsets: { topic: string; partition: number; offset: string; metadata: string | null }[] = [];
    for (const [id, tracker] of this.trackers) {
      const next = tracker.committable();
      if (next === null) continue;
      const metadata = this.marks.metadataFor(id, next);
      if (this.committed.get(id) === `${next}:${metadata}`) continue;
      const { topic, partitions } = topicPartition(id);
      offsets.push({ topic, partition: partitions[0], offset: String(next), metadata });
    }
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
      for (const o of offsets) this.committed.set(`${o.topic}:${o.partition}`, `${o.offset}:${o.metadata}`);
    } catch (e) {
      // A commit lost to a rebalance only means a redelivery later; the next commit retries.
      this.options.logger.write('warn', 'offset commit failed', { error: (e as Error).message });
    }
  }
}

function topicPartition(id: string): { topic: string; partitions: number[] } {
  const sep = id.lastIndexOf(':');
  return { topic: id.slice(0, sep), partitions: [Number(id.slice(sep + 1))] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Aborted when the consumer stops. Every message waiting for a slot listens to it (and stops
 * listening once it has one), so its listeners number up to a fetched batch: not a leak, and no
 * reason for Node's warning at 11.
 */
function haltController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
