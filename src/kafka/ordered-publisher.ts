import { Producer } from 'kafkajs';
import { ErrorCode, TasklogError } from '../common/errors';
import { BatchQueue } from './batch-queue';
import { KafkaClient } from './kafka.client';
import { OutMessage } from './kafka.types';
import { groupByTopic } from './group-by-topic';

/**
 * An idempotent producer that batches concurrent sends and keeps their order: one batch in
 * flight at a time, so a task's `started` always lands before its `completed`.
 */
export class OrderedPublisher {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  private readonly queue: BatchQueue<OutMessage>;

  constructor(
    private readonly kafka: KafkaClient,
    maxBatch = 5000,
  ) {
    this.queue = new BatchQueue((messages) => this.send(messages), maxBatch);
  }

  publish(messages: OutMessage[]): Promise<void> {
    return this.queue.push(messages);
  }

  async close(): Promise<void> {
    await this.queue.drained().catch(() => undefined);
    const p = this.producer;
    this.producer = null;
    await p?.disconnect().catch(() => undefined);
  }

  private async send(messages: OutMessage[]): Promise<void> {
    const producer = await this.connect();
    try {
      await producer.sendBatch({ topicMessages: groupByTopic(messages), acks: -1 });
    } catch (e) {
      throw new TasklogError(ErrorCode.BROKER_UNAVAILABLE, `Kafka is unavailable: ${(e as Error).message}`);
    }
  }

  private async connect(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      try {
        await producer.connect();
      } catch (e) {
        this.connecting = null;
        throw new TasklogError(ErrorCode.BROKER_UNAVAILABLE, `Kafka is unavailable: ${(e as Error).message}`);
      }
      this.producer = producer;
      return producer;
    })();
    return this.connecting;
  }
}
