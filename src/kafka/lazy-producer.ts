import { Producer, ProducerConfig } from 'kafkajs';
import { ErrorCode, TasklogError } from '../common/errors';
import { KafkaClient } from './kafka.client';

/**
 * A producer connected on first use, one connect in flight at a time. `reset` drops a broken
 * one so the next `get` builds a fresh producer; connection failures surface as BROKER_UNAVAILABLE.
 */
export class LazyProducer {
  private connecting: Promise<Producer> | null = null;

  constructor(
    private readonly kafka: KafkaClient,
    /** Read at each (re)connect, so a transactional id can be claimed first. */
    private readonly config: ProducerConfig | (() => Promise<ProducerConfig>),
  ) {}

  get(): Promise<Producer> {
    this.connecting ??= (async () => {
      const config = typeof this.config === 'function' ? await this.config() : this.config;
      const producer = this.kafka.producer(config);
      try {
        await producer.connect();
        return producer;
      } catch (e) {
        this.connecting = null;
        await producer.disconnect().catch(() => undefined);
        throw brokerUnavailable(e);
      }
    })();
    return this.connecting;
  }

  /** Disconnects the current producer, if any; the next `get` connects a new one. */
  async reset(): Promise<void> {
    const current = this.connecting;
    this.connecting = null;
    const producer = await current?.catch(() => null);
    await producer?.disconnect().catch(() => undefined);
  }
}

export function brokerUnavailable(e: unknown): TasklogError {
  return new TasklogError(ErrorCode.BROKER_UNAVAILABLE, `Kafka is unavailable: ${(e as Error).message}`);
}
