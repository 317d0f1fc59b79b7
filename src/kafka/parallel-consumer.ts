import { Consumer, EachBatchPayload } from 'kafkajs';
import { retryWithBackoff } from '../common/retry';
import { KafkaClient, toInMessage } from './kafka.client';
import { InMessage } from './kafka.types';
import { onFatalCrash, startConsumer } from './consumer-lifecycle';
import { RedeliveryMarks } from './redelivery-marks';
import { consumerConfig, ParallelConsumerOptions, StopOptions } from './parallel-consumer.options';
import { BackPressure } from './back-pressure';
import { OffsetCommitter } from './offset-committer';
import { KeyOrderedRuns } from './key-ordered-runs';
import { MessageRunner } from './message-runner';
import { PartitionTrackers } from './partition-trackers';

export type { HandleResult, ParallelConsumerOptions, StopOptions } from './parallel-consumer.options';

/**
 * Key-ordered parallel processing on top of kafkajs: the fetch loop only dispatches, handlers
 * run beside it (so heartbeats never stall), and per partition only the highest contiguous
 * finished offset is committed. Concurrency is therefore not capped by partition count.
 * Every message ends handled (its handler resolved), released at stop, or the consumer
 * restarts from its committed offsets with an error: nothing silently pins an offset.
 * This class owns the kafkajs consumer's life (connect, assignment, restart, stop) and the
 * dispatch; the pieces it drives own the rest (see their files).
 */
export class ParallelConsumer {
  private consumer: Consumer | null = null;
  private readonly trackers = new PartitionTrackers();
  private readonly runs = new KeyOrderedRuns();
  private readonly backPressure: BackPressure;
  private readonly commits: OffsetCommitter;
  private readonly runner: MessageRunner;
  private readonly marks: RedeliveryMarks;
  private stopping = false;
  private restarting = false;
  joins = 0;
  restarts = 0;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: ParallelConsumerOptions,
  ) {
    this.marks = new RedeliveryMarks(kafka, options.groupId, options.logger);
    this.backPressure = new BackPressure(this.trackers, options);
    this.commits = new OffsetCommitter(this.trackers, this.marks, () => this.consumer, options.logger);
    this.runner = new MessageRunner(options, {
      stopping: () => this.stopping,
      // Committed as metadata soon, so the next owner knows, should this process die.
      started: (m) => {
        if (this.marks.markStarted(`${m.topic}:${m.partition}`, Number(m.offset))) this.commits.schedule();
      },
      giveUp: (runKey, what, error) => this.giveUp(runKey, what, error),
    });
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.runner.resume();
    await this.connect();
  }

  private async connect(): Promise<void> {
    const o = this.options;
    const consumer = this.kafka.consumer(consumerConfig(o));
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
    this.backPressure.reset();
    this.trackers.clear();
    this.commits.forget();
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
    this.runner.halt();
    await this.runs.drain(options, this.options.logger, this.options.groupId);
    this.commits.cancel();
    await this.commits.commit();
    await consumer?.disconnect().catch(() => undefined);
    this.consumer = null;
  }

  get inFlight(): number {
    return this.runs.size;
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    this.joins += 1;
    const assigned = this.trackers.assign(assignment);
    this.backPressure.keepPartitions(assigned);
    this.options.logger.write('info', 'partitions assigned', { groupId: this.options.groupId, partitions: [...assigned] });
    this.marks.onAssignment(Object.keys(assignment));
  }

  private async dispatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const id = `${batch.topic}:${batch.partition}`;
    await this.marks.ready();
    for (const raw of batch.messages) {
      if (!isRunning() || isStale() || this.stopping) break;
      const tracker = this.trackers.of(id);
      // A partition whose commit point is pinned stops here (its rest is fetched again on resume).
      // Not for a full buffer: breaking off there made kafkajs fetch and decode the same big batch
      // over and over (6x slower in the bench); the buffer overshoots by at most one batch, then pauses.
      if (this.backPressure.partitionFull(tracker)) break;
      const message = toInMessage(batch.topic, batch.partition, raw);
      const offset = Number(raw.offset);
      if (this.marks.wasStarted(id, offset)) message.redelivered = true;
      tracker.track(offset);
      const runKey = `${id}:${raw.offset}`;
      // A message re-fetched after a rebalance while it still runs here is not run twice.
      const work = this.runs.get(runKey) ?? this.schedule(runKey, message);
      // Once per message, after both its buffer slot and its tracker have moved.
      void work.then((finished) => {
        if (finished) {
          tracker.finish(offset);
          this.commits.schedule();
        }
        this.applyBackPressure();
      });
      resolveOffset(raw.offset);
    }
    this.applyBackPressure();
  }

  private schedule(runKey: string, message: InMessage): Promise<boolean> {
    const key = this.options.keyOf?.(message) ?? null;
    const settled = () => this.backPressure.settled(message.topic);
    this.backPressure.taken(message.topic);
    return this.runs.schedule(runKey, key, () => this.runner.run(runKey, message), settled);
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
    void this.commits
      .commit()
      .then(() => this.reconnect())
      .finally(() => (this.restarting = false));
  }

  private applyBackPressure(): void {
    const consumer = this.consumer;
    if (!consumer || this.stopping) return;
    this.backPressure.apply(consumer);
  }
}
