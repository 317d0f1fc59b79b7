import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { ErrorCode, TasklogError } from '../common/errors';
import { instanceName, transactionalIdFor } from './instance-slot';
import { KafkaClient } from './kafka.client';
import { OutMessage } from './kafka.types';
import { messageBytes } from './message-size';
import { OrderedPublisher } from './ordered-publisher';
import { allTopics, Topics, topicsFor } from './topics';
import { TransactionalPublisher } from './transactional-publisher';

/** Room for the envelope, headers and batch overhead around a payload at the limit (event and command carry it). */
export const RECORD_HEADROOM_BYTES = 256 * 1024;

/** `max.message.bytes` our topics are created with: the payload limit plus headroom. */
export function topicMessageBytes(maxPayloadBytes: number): number {
  return maxPayloadBytes + RECORD_HEADROOM_BYTES;
}

/**
 * The heartbeat topic keeps the latest record per worker (compaction) and nothing older than an
 * hour (a live worker re-announces itself every few seconds), so a reader from its start reads little.
 */
const HEARTBEAT_TOPIC = {
  partitions: 1,
  smallRecords: true,
  config: { 'cleanup.policy': 'compact,delete', 'retention.ms': '3600000', 'segment.ms': '600000' },
};

/** Replies are read within moments by the caller waiting for them; an hour is plenty. */
const REPLY_TOPIC = { config: { 'retention.ms': '3600000' }, smallRecords: true };

/** Owns the Kafka client, topic set-up and the process's producers. */
@Injectable()
export class KafkaService implements OnApplicationShutdown {
  readonly client: KafkaClient;
  readonly topics: Topics;
  readonly transactional: TransactionalPublisher;
  readonly ordered: OrderedPublisher;
  /** Single-record enqueues (ADR 0009), on their own producer so they never wait behind the worker's events. */
  readonly enqueues: OrderedPublisher;
  private topicsReady: Promise<void> | null = null;
  private instance: ReturnType<typeof instanceName> | null = null;
  /** The largest record the topics take (their smallest `max.message.bytes`); known after ensureTopics. */
  recordLimit: number;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly logger: JsonLogger,
  ) {
    this.topics = topicsFor(config.topicPrefix);
    this.recordLimit = topicMessageBytes(config.maxPayloadBytes);
    this.client = new KafkaClient({ brokers: config.brokers, clientId: `${config.topicPrefix}-${hostname()}`, logger });
    const limit = () => this.recordLimit;
    this.transactional = new TransactionalPublisher(
      this.client,
      () => this.transactionalId('enqueue'),
      logger.child({ component: 'enqueue' }),
      limit,
    );
    this.ordered = new OrderedPublisher(this.client, limit);
    this.enqueues = new OrderedPublisher(this.client, limit);
  }

  /** Creates missing topics once per process; retried by callers when Kafka is down. */
  ensureTopics(): Promise<void> {
    const { partitions, replication, maxPayloadBytes, eventsRetentionMs } = this.config;
    // The history is the product (README, "Reading the history"): kept forever unless configured.
    const perTopic = { [this.topics.events]: { 'retention.ms': String(eventsRetentionMs) } };
    this.topicsReady ??= this.client
      .ensureTopics(allTopics(this.topics), partitions, replication, topicMessageBytes(maxPayloadBytes), {
        [this.topics.workers]: HEARTBEAT_TOPIC,
        [this.topics.requestsReply]: REPLY_TOPIC,
        [this.topics.events]: { config: perTopic[this.topics.events] },
      })
      .then((limit) => {
        this.recordLimit = limit;
        if (limit < topicMessageBytes(maxPayloadBytes))
          this.logger.write('warn', 'topics take smaller records than the payload limit needs; larger payloads answer 413', {
            maxMessageBytes: limit,
            maxPayloadBytes,
          });
      })
      .catch((e) => {
        this.topicsReady = null;
        throw e;
      });
    return this.topicsReady;
  }

  /** Connects the enqueue producers now rather than on first use (see RolesService). */
  async connectProducers(): Promise<void> {
    await Promise.all([this.transactional.connect(), this.enqueues.connect()]);
  }

  /** Fails with 413 before a record that the broker would refuse joins a group commit. */
  assertFits(messages: OutMessage[]): void {
    for (const m of messages) {
      const size = messageBytes(m);
      if (size > this.recordLimit)
        throw new TasklogError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `a ${m.topic} record would be ${size} bytes; the topic takes ${this.recordLimit}`,
          {
            size,
            limit: this.recordLimit,
          },
        );
    }
  }

  /** Stable per role and instance, so a restarted process fences its crashed predecessor's transaction. */
  private async transactionalId(role: string): Promise<string> {
    this.instance ??= instanceName(this.config.instanceId, this.config.topicPrefix);
    return transactionalIdFor(this.config.topicPrefix, role, (await this.instance).name);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transactional.close();
    await this.ordered.close();
    await this.enqueues.close();
    (await this.instance)?.slot?.release();
  }
}
