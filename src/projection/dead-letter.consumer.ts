import { retryWithBackoff } from '../common/retry';
import { JsonLogger } from '../common/logger';
import { InMessage, KafkaClient, ParallelConsumer } from '../kafka';
import { toDeadLetterRecord } from './dead-letter-record.mapper';
import { DeadLetterStore } from './dead-letter.store';

export interface DeadLetterConsumerOptions {
  groupId: string;
  dlqTopic: string;
  sessionTimeoutMs: number;
  logger: JsonLogger;
  /** Called once a letter is stored (for the dead-lettered counter). */
  onStored?: (m: InMessage) => void;
}

/**
 * Copies the DLQ topic into the `dead_letters` table (part of the projector role). Exactly once
 * needs no checkpoint here: each row is keyed by its DLQ position and inserted with
 * `on conflict do nothing`, so committed offsets may lag and a replay is harmless.
 */
export class DeadLetterConsumer {
  private consumer: ParallelConsumer | null = null;
  private stopped = true;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly store: DeadLetterStore,
    private readonly options: DeadLetterConsumerOptions,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    const consumer = new ParallelConsumer(this.kafka, {
      groupId: this.options.groupId,
      topics: [this.options.dlqTopic],
      // Letters are independent rows; a few inserts at once keep up with a burst of poison.
      concurrency: 4,
      maxBuffered: 200,
      maxPendingPerPartition: 200,
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      logger: this.options.logger,
      handle: (m) => this.handle(m),
    });
    await consumer.start();
    this.consumer = consumer;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.consumer;
    this.consumer = null;
    // Unfinished inserts are not committed; the next start reads them again and inserts nothing twice.
    await c?.stop({ graceMs: 5000 });
  }

  /** Waits out a Postgres outage (the store throws nothing else); gives up only when stopping. */
  private async handle(m: InMessage): Promise<void> {
    const record = toDeadLetterRecord(m);
    await retryWithBackoff(() => this.store.insert(record), {
      initialMs: 200,
      maxMs: 5000,
      stop: () => this.stopped,
      onError: (e, retryInMs) =>
        this.options.logger.write('warn', 'storing a dead letter failed; retrying', { error: e.message, retryInMs }),
    });
    this.options.onStored?.(m);
  }
}
