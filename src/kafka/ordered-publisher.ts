import { BatchQueue } from './batch-queue';
import { groupByTopic } from './group-by-topic';
import { KafkaClient } from './kafka.client';
import { OutMessage } from './kafka.types';
import { messageBytes } from './message-size';
import { brokerUnavailable, LazyProducer } from './lazy-producer';
import { assertAcknowledged, PartitionWitness } from './partition-witness';

/**
 * An idempotent producer that batches concurrent sends and keeps their order: one batch in
 * flight at a time, so a task's `started` always lands before its `completed`.
 */
export class OrderedPublisher {
  private readonly producer: LazyProducer;
  private readonly queue: BatchQueue<OutMessage>;
  private readonly witness = new PartitionWitness();

  constructor(kafka: KafkaClient, maxBytes: () => number, maxBatch = 5000) {
    this.producer = new LazyProducer(kafka, {
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: this.witness.createPartitioner,
    });
    this.queue = new BatchQueue((messages) => this.send(messages), maxBatch, { sizeOf: messageBytes, max: maxBytes });
  }

  publish(messages: OutMessage[]): Promise<void> {
    return this.queue.push(messages);
  }

  /** Connects now instead of on the first publish. */
  async connect(): Promise<void> {
    await this.producer.get();
  }

  async close(): Promise<void> {
    await this.queue.drained().catch(() => undefined);
    await this.producer.reset();
  }

  private async send(messages: OutMessage[]): Promise<void> {
    const producer = await this.producer.get();
    try {
      this.witness.begin();
      assertAcknowledged(this.witness, await producer.sendBatch({ topicMessages: groupByTopic(messages), acks: -1 }));
    } catch (e) {
      // kafkajs winds back the sequence numbers of every partition of a failed request, also of
      // those the broker accepted; the next send then reuses them and the broker answers
      // OUT_OF_ORDER_SEQUENCE_NUMBER forever. A new producer (new producer id) starts clean.
      // A resend may duplicate records; events carry ids and the reducer ignores repeats.
      await this.producer.reset();
      throw brokerUnavailable(e);
    }
  }
}
