import { BatchQueue } from './batch-queue';
import { groupByTopic } from './group-by-topic';
import { KafkaClient } from './kafka.client';
import { OutMessage } from './kafka.types';
import { brokerUnavailable, LazyProducer } from './lazy-producer';

/**
 * An idempotent producer that batches concurrent sends and keeps their order: one batch in
 * flight at a time, so a task's `started` always lands before its `completed`.
 */
export class OrderedPublisher {
  private readonly producer: LazyProducer;
  private readonly queue: BatchQueue<OutMessage>;

  constructor(kafka: KafkaClient, maxBatch = 5000) {
    this.producer = new LazyProducer(kafka, { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.queue = new BatchQueue((messages) => this.send(messages), maxBatch);
  }

  publish(messages: OutMessage[]): Promise<void> {
    return this.queue.push(messages);
  }

  async close(): Promise<void> {
    await this.queue.drained().catch(() => undefined);
    await this.producer.reset();
  }

  private async send(messages: OutMessage[]): Promise<void> {
    const producer = await this.producer.get();
    try {
      await producer.sendBatch({ topicMessages: groupByTopic(messages), acks: -1 });
    } catch (e) {
      throw brokerUnavailable(e);
    }
  }
}
