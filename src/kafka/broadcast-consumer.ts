import { Consumer } from 'kafkajs';
import { JsonLogger } from '../common/logger';
import { onFatalCrash } from './consumer-lifecycle';
import { KafkaClient, toInMessage } from './kafka.client';
import { InMessage } from './kafka.types';

export interface BroadcastConsumerOptions {
  /** One group per reader, so every reader gets every record of the topic. */
  groupId: string;
  topic: string;
  logger: JsonLogger;
  /** Called in order per partition; a throw is logged and the record skipped (signals are best effort). */
  handle: (message: InMessage) => void;
}

/**
 * Reads a topic as a broadcast: its own consumer group, committed records only, and for a new
 * group from the latest offset at join (what was said before this reader existed is not its
 * business). Polls with a short wait so a signal arrives well within a second.
 */
export class BroadcastConsumer {
  private consumer: Consumer | null = null;
  private stopping = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly options: BroadcastConsumerOptions,
  ) {}

  /** Resolves once the group is joined, so what is published from then on is heard. */
  async start(): Promise<void> {
    this.stopping = false;
    const o = this.options;
    const consumer = this.kafka.consumer({
      groupId: o.groupId,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      readUncommitted: false,
    });
    this.consumer = consumer;
    onFatalCrash(consumer, (error) => {
      if (this.consumer !== consumer || this.stopping) return;
      o.logger.write('warn', 'broadcast consumer stopped on an error; starting a new one', { groupId: o.groupId, error: error.message });
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => this.start())
        .catch((e: Error) => o.logger.write('error', 'broadcast consumer could not restart', { groupId: o.groupId, error: e.message }));
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [o.topic], fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          try {
            o.handle(toInMessage(topic, partition, message));
          } catch (e) {
            o.logger.write('warn', 'broadcast record skipped', { topic, partition, offset: message.offset, error: (e as Error).message });
          }
        },
      });
    } catch (e) {
      this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect().catch(() => undefined);
  }
}
