import { Producer } from 'kafkajs';
import { ErrorCode, TasklogError } from '../common/errors';
import { JsonLogger } from '../common/logger';
import { BatchQueue } from './batch-queue';
import { KafkaClient } from './kafka.client';
import { OutMessage } from './kafka.types';
import { groupByTopic } from './group-by-topic';

/**
 * Writes groups of messages atomically: each group (one enqueue: its events and its run
 * command) lands in a Kafka transaction together with every group that arrived meanwhile.
 */
export class TransactionalPublisher {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  private readonly queue: BatchQueue<OutMessage[]>;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly transactionalId: string,
    private readonly logger: JsonLogger,
    maxGroupsPerTransaction = 2000,
  ) {
    this.queue = new BatchQueue((groups) => this.commit(groups), maxGroupsPerTransaction);
  }

  publish(group: OutMessage[]): Promise<void> {
    return this.queue.push([group]);
  }

  async close(): Promise<void> {
    await this.queue.drained().catch(() => undefined);
    const p = this.producer;
    this.producer = null;
    await p?.disconnect().catch(() => undefined);
  }

  private async commit(groups: OutMessage[][]): Promise<void> {
    const producer = await this.connect();
    const tx = await producer.transaction().catch((e) => this.fail(e));
    try {
      await tx.sendBatch({ topicMessages: groupByTopic(groups.flat()) });
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      await this.fail(e);
    }
  }

  /** A broken transactional producer is dropped and rebuilt on the next batch. */
  private async fail(e: unknown): Promise<never> {
    const p = this.producer;
    this.producer = null;
    this.connecting = null;
    await p?.disconnect().catch(() => undefined);
    this.logger.write('warn', 'transaction failed', { error: (e as Error).message });
    throw new TasklogError(ErrorCode.BROKER_UNAVAILABLE, `Kafka is unavailable: ${(e as Error).message}`);
  }

  private async connect(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        transactionalId: this.transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        // After a commit the coordinator answers CONCURRENT_TRANSACTIONS until its markers
        // are written; kafkajs' 300 ms default backoff there caps us at ~5 tx/s (ADR 0001).
        retry: { initialRetryTime: 5, retries: 8, maxRetryTime: 1000 },
      });
      try {
        await producer.connect();
      } catch (e) {
        this.connecting = null;
        await producer.disconnect().catch(() => undefined);
        throw new TasklogError(ErrorCode.BROKER_UNAVAILABLE, `Kafka is unavailable: ${(e as Error).message}`);
      }
      this.producer = producer;
      return producer;
    })();
    return this.connecting;
  }
}
