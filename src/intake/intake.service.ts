import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { ErrorCode, TasklogError } from '../common/errors';
import { JsonLogger } from '../common/logger';
import { retryWithBackoff } from '../common/retry';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { TaskClientService } from '../client/task-client.service';
import { deadLetter, DeadLetterKind, Header, InMessage, ParallelConsumer } from '../kafka';
import { KafkaService } from '../kafka/kafka.service';
import { readIntakeRequest } from './intake-request';

/** Errors that no redelivery can fix: the request goes to the DLQ with the error's message. */
const REFUSALS: ReadonlySet<string> = new Set([
  ErrorCode.INVALID_INPUT,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.UNKNOWN_TASK_TYPE,
  ErrorCode.IDEMPOTENCY_CONFLICT,
]);

/**
 * The Kafka intake (part of the api role): turns JSON requests on `<prefix>.requests` into tasks
 * through TaskClient, with the same validation as REST. A refused request becomes a poison dead
 * letter with the reason; Kafka or Postgres being away is waited out, never dead-lettered.
 */
@Injectable()
export class IntakeService implements BeforeApplicationShutdown {
  private consumer: ParallelConsumer | null = null;
  private stopped = true;
  private readonly log: JsonLogger;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly kafka: KafkaService,
    private readonly tasks: TaskClientService,
    logger: JsonLogger,
  ) {
    this.log = logger.child({ component: 'intake' });
  }

  async start(): Promise<void> {
    await this.consumer?.stop({ graceMs: 0 });
    this.stopped = false;
    this.consumer = new ParallelConsumer(this.kafka.client, {
      groupId: `${this.config.topicPrefix}.intake`,
      topics: [this.kafka.topics.requests],
      concurrency: 32,
      maxBuffered: 1000,
      maxPendingPerPartition: 10000,
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      logger: this.log,
      // One key's requests in order: a repeat waits for the first, then answers the same task.
      keyOf: (m) => m.key,
      handle: (m) => this.handle(m),
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    try {
      await c?.stop({ graceMs: 5000 });
    } finally {
      this.stopped = true;
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async handle(m: InMessage): Promise<void> {
    const refusal = await this.retry('enqueueing a request', async () => {
      try {
        const { type, payload, options } = readIntakeRequest(m);
        await this.tasks.enqueue(type as string, payload, options);
        return null;
      } catch (e) {
        if (e instanceof TasklogError && REFUSALS.has(e.code)) return e;
        throw e;
      }
    });
    if (refusal) await this.refuse(m, refusal.message);
  }

  /** Waits out an outage (Kafka, Postgres) until it ends or this consumer stops. */
  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retryWithBackoff(fn, {
      initialMs: 200,
      maxMs: 5000,
      stop: () => this.stopped,
      onError: (e, retryInMs) => this.log.write('warn', `${what} failed; retrying`, { error: e.message, retryInMs }),
    });
  }

  private refuse(m: InMessage, reason: string): Promise<void> {
    this.log.write('warn', 'task request sent to the DLQ', { partition: m.partition, offset: m.offset, reason });
    const letter = deadLetter(this.kafka.topics.dlq, m, {
      kind: DeadLetterKind.POISON,
      reason,
      tenantId: m.headers[Header.TENANT_ID],
    });
    return this.retry('writing a dead letter', () => this.kafka.ordered.publish([letter]));
  }
}
