import { JsonLogger } from '../common/logger';
import { BatchQueue } from './batch-queue';
import { groupByTopic } from './group-by-topic';
import { KafkaClient } from './kafka.client';
import { OutMessage } from './kafka.types';
import { messageBytes } from './message-size';
import { brokerUnavailable, LazyProducer } from './lazy-producer';
import { assertAcknowledged, PartitionWitness } from './partition-witness';

/**
 * Writes groups of messages atomically: each group (one enqueue: its events and its run
 * command) lands in a Kafka transaction together with every group that arrived meanwhile.
 */
export class TransactionalPublisher {
  private readonly producer: LazyProducer;
  private readonly queue: BatchQueue<OutMessage[]>;
  private readonly witness = new PartitionWitness();

  constructor(
    kafka: KafkaClient,
    transactionalId: () => Promise<string>,
    private readonly logger: JsonLogger,
    /** Bytes per transaction: every partition's record batch must stay under the topics' limit. */
    maxBytes: () => number,
    maxGroupsPerTransaction = 2000,
  ) {
    this.producer = new LazyProducer(kafka, async () => ({
      transactionalId: await transactionalId(),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: this.witness.createPartitioner,
      // After a commit the coordinator answers CONCURRENT_TRANSACTIONS until its markers
      // are written; kafkajs' 300 ms default backoff there caps us at ~5 tx/s (ADR 0001).
      retry: { initialRetryTime: 5, retries: 8, maxRetryTime: 1000 },
    }));
    this.queue = new BatchQueue((groups) => this.commit(groups), maxGroupsPerTransaction, {
      sizeOf: (group) => group.reduce((n, m) => n + messageBytes(m), 0),
      max: maxBytes,
    });
  }

  publish(group: OutMessage[]): Promise<void> {
    return this.queue.push([group]);
  }

  /**
   * Connects now instead of on the first publish, and claims the transactional id: kafkajs
   * sends InitProducerId with it only when a transaction begins, and that is what fences a
   * crashed predecessor's open transaction. An empty transaction is aborted locally.
   */
  async connect(): Promise<void> {
    // Through the queue, as an empty group: a transaction begun here must never overlap a commit
    // on the same producer (kafkajs allows one transaction at a time).
    await this.queue.push([[]]);
  }

  async close(): Promise<void> {
    await this.queue.drained().catch(() => undefined);
    await this.producer.reset();
  }

  private async commit(groups: OutMessage[][]): Promise<void> {
    const producer = await this.producer.get();
    const tx = await producer.transaction().catch((e) => this.fail(e));
    const messages = groups.flat();
    try {
      // Only connect's empty group: beginning the transaction claimed the id; nothing to commit.
      if (messages.length === 0) return await tx.abort();
      this.witness.begin();
      // A partial write must not commit: the transaction would hold only part of an enqueue.
      assertAcknowledged(this.witness, await tx.sendBatch({ topicMessages: groupByTopic(messages) }));
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      await this.fail(e);
    }
  }

  /** A broken transactional producer is dropped and rebuilt on the next batch. */
  private async fail(e: unknown): Promise<never> {
    await this.producer.reset();
    this.logger.write('warn', 'transaction failed', { error: (e as Error).message });
    throw brokerUnavailable(e);
  }
}
