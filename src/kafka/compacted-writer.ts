import { KafkaClient } from './kafka.client';
import { brokerUnavailable, LazyProducer } from './lazy-producer';

/**
 * Writes the latest value per key to a compacted topic, and tombstones (a key with no value)
 * to remove one. Plain acks=all sends, one connection, made on first use.
 */
export class CompactedWriter {
  private readonly producer: LazyProducer;

  constructor(
    kafka: KafkaClient,
    private readonly topic: string,
  ) {
    this.producer = new LazyProducer(kafka, { allowAutoTopicCreation: false });
  }

  put(key: string, value: Buffer): Promise<void> {
    return this.send(key, value);
  }

  remove(key: string): Promise<void> {
    return this.send(key, null);
  }

  close(): Promise<void> {
    return this.producer.reset();
  }

  private async send(key: string, value: Buffer | null): Promise<void> {
    const producer = await this.producer.get();
    try {
      await producer.send({ topic: this.topic, acks: -1, messages: [{ key, value }] });
    } catch (e) {
      await this.producer.reset();
      throw brokerUnavailable(e);
    }
  }
}
