import { Consumer, EachBatchPayload } from 'kafkajs';
import { retryWithBackoff } from '../common/retry';
import { JsonLogger } from '../common/logger';
import { KafkaClient, onFatalCrash, OrderedPublisher, startConsumer, toInMessage } from '../kafka';
import { BatchAbandoned, BatchApplier } from './batch-applier';
import { ProjectionStore } from './projection.store';

export interface ProjectorOptions {
  groupId: string;
  /** Projected in full (state, history, DLQ for what Postgres refuses); absent for a lanes-only projector. */
  eventsTopic?: string;
  /**
   * Command lanes: their single-record enqueues show tasks before a worker takes them (ADR 0009).
   * The engine reads them with a projector of their own, so lane batches never hold up the events.
   */
  laneTopics: string[];
  dlqTopic: string;
  projection: string;
  logger: JsonLogger;
}

/**
 * Consumes `tasklog.events` (and the lanes' enqueues, ADR 0009) into Postgres exactly once: Kafka offsets are only a hint, the
 * checkpoint row is the truth, and on assignment the consumer seeks to it.
 */
export class Projector {
  private consumer: Consumer | null = null;
  private stopped = false;
  private readonly applier: BatchApplier;
  lastAppliedAt = 0;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly store: ProjectionStore,
    dlq: OrderedPublisher,
    private readonly options: ProjectorOptions,
  ) {
    this.applier = new BatchApplier(store, dlq, { projection: options.projection, dlqTopic: options.dlqTopic, logger: options.logger });
  }

  async start(): Promise<void> {
    this.stopped = false;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
      readUncommitted: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      for (const topic of this.topics) void this.seekToCheckpoints(consumer, topic, payload.memberAssignment[topic] ?? []);
    });
    onFatalCrash(consumer, (error) => {
      if (this.consumer !== consumer || this.stopped) return;
      this.options.logger.write('warn', 'projector consumer stopped on an error; starting a new one', { error: error.message });
      void this.restart();
    });
    await startConsumer(consumer, this.topics, {
      // Committed Kafka offsets are only a hint for restarts; the checkpoint row decides.
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) => this.project(payload),
    }).catch((e) => {
      this.consumer = null;
      throw e;
    });
  }

  private get topics(): string[] {
    return [...(this.options.eventsTopic ? [this.options.eventsTopic] : []), ...this.options.laneTopics];
  }

  private async restart(): Promise<void> {
    const old = this.consumer;
    this.consumer = null;
    await old?.disconnect().catch(() => undefined);
    await retryWithBackoff(() => this.start(), {
      initialMs: 1000,
      maxMs: 30000,
      stop: () => this.stopped,
      onError: (e, retryInMs) => this.options.logger.write('warn', 'projector reconnect failed; retrying', { error: e.message, retryInMs }),
    }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.consumer;
    this.consumer = null;
    await c?.disconnect().catch(() => undefined);
  }

  private async seekToCheckpoints(consumer: Consumer, topic: string, partitions: number[]): Promise<void> {
    const { projection } = this.options;
    const ends = await this.kafka.endOffsets(topic).catch(() => null);
    for (const partition of partitions) {
      try {
        let offset = await this.store.checkpoint(projection, topic, partition);
        const end = ends?.get(partition);
        if (offset !== null && end !== undefined && offset > end) {
          // A checkpoint past the end of the log: the topic was recreated or Kafka's data reset
          // while Postgres kept its rows. Skipping to it would silently drop every new event.
          this.options.logger.write(
            'error',
            'projection checkpoint is past the end of its topic (topic recreated?); projecting it from the start',
            {
              topic,
              partition,
              checkpoint: offset,
              end,
            },
          );
          await this.store.resetCheckpoint(projection, topic, partition);
          offset = 0;
        }
        if (offset !== null) consumer.seek({ topic, partition, offset: String(offset) });
      } catch (e) {
        // Without the checkpoint we read from the committed offset; applyBatch still skips what was applied.
        this.options.logger.write('warn', 'checkpoint read failed; relying on in-transaction skip', {
          partition,
          error: (e as Error).message,
        });
      }
    }
  }

  private async project({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const messages = batch.messages.map((m) => toInMessage(batch.topic, batch.partition, m));
    const owned = () => isRunning() && !isStale() && !this.stopped;
    try {
      const args = [batch.topic, batch.partition, messages, Number(batch.lastOffset()) + 1, owned, heartbeat] as const;
      await (batch.topic === this.options.eventsTopic ? this.applier.apply(...args) : this.applier.applyPreview(...args));
    } catch (e) {
      if (e instanceof BatchAbandoned) return;
      throw e;
    }
    this.lastAppliedAt = Date.now();
    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary().catch(() => undefined);
  }
}
