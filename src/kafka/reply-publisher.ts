import { brokerUnavailable, LazyProducer } from './lazy-producer';
import { KafkaClient } from './kafka.client';

/** A reply to a request-reply caller: one record to the partition the caller listens on. */
export interface ReplyMessage {
  topic: string;
  /** Absent: the default partitioner picks one. */
  partition?: number;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Writes replies on a producer of their own, so a reply topic that is missing or refuses writes
 * never fails a batch of the engine's own records. Replies are at-least-once: a resend may
 * duplicate one, which a request-reply caller ignores (its correlation id is already answered).
 */
export class ReplyPublisher {
  private readonly producer: LazyProducer;

  constructor(kafka: KafkaClient) {
    // Few retries per send: the caller decides how long a reply is worth retrying.
    this.producer = new LazyProducer(kafka, { allowAutoTopicCreation: false, retry: { retries: 2 } });
  }

  async publish(m: ReplyMessage): Promise<void> {
    const producer = await this.producer.get();
    try {
      await producer.send({ topic: m.topic, acks: -1, messages: [{ partition: m.partition, value: m.value, headers: m.headers }] });
    } catch (e) {
      throw brokerUnavailable(e);
    }
  }

  close(): Promise<void> {
    return this.producer.reset();
  }
}
