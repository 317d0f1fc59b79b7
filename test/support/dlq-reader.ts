import { Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { loadDevConfig } from '../../src/config';
import { topicsFor } from '../../src/kafka/topics';

export interface DeadLetterRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Reads a test's DLQ topic into memory, and writes raw records to its topics, as an outside producer would. */
export class KafkaProbe {
  readonly dead: DeadLetterRecord[] = [];
  private readonly kafka = new Kafka({ brokers: loadDevConfig().brokers, logLevel: logLevel.NOTHING });
  readonly producer: Producer = this.kafka.producer();
  private consumer: Consumer | null = null;

  constructor(readonly prefix: string) {}

  get topics() {
    return topicsFor(this.prefix);
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.consumer = this.kafka.consumer({ groupId: `dlq-reader-${this.prefix}-${Date.now()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topics.dlq, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        this.dead.push({ key: String(message.key ?? ''), value: message.value ?? Buffer.alloc(0), headers });
      },
    });
  }

  async send(
    topic: string,
    messages: { key?: string; value: string | Buffer; partition?: number; headers?: Record<string, string> }[],
  ): Promise<void> {
    await this.producer.send({ topic, messages });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
