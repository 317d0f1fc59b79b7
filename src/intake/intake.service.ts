import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { ErrorCode, TasklogError } from '../common/errors';
import { JsonLogger } from '../common/logger';
import { retryWithBackoff } from '../common/retry';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { TaskClientService } from '../client/task-client.service';
import { deadLetter, DeadLetterKind, Header, InMessage, ParallelConsumer, ReplyPublisher } from '../kafka';
import { KafkaService } from '../kafka/kafka.service';
import { TaskState } from '../domain/task-state';
import { IntakeReply, IntakeReplyError, ReplyAddress, replyAddressOf, replyRecord } from './intake-reply';
import { readIntakeRequest } from './intake-request';

/** Errors that no redelivery can fix: the request goes to the DLQ with the error's message. */
const REFUSALS: ReadonlySet<string> = new Set([
  ErrorCode.INVALID_INPUT,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.UNKNOWN_TASK_TYPE,
  ErrorCode.IDEMPOTENCY_CONFLICT,
]);

/** How long a reply is retried before it is dropped; by then its caller has most likely timed out. */
const REPLY_WINDOW_MS = 30_000;

/**
 * The Kafka intake (part of the api role): turns JSON requests on `<prefix>.requests` into tasks
 * through TaskClient, with the same validation as REST. A refused request becomes a poison dead
 * letter with the reason; Kafka or Postgres being away is waited out, never dead-lettered.
 * A request written by Nest's `ClientKafka.send` is answered on its reply topic (intake-reply.ts).
 */
@Injectable()
export class IntakeService implements BeforeApplicationShutdown {
  private consumer: ParallelConsumer | null = null;
  private stopped = true;
  /** From the start of stop(): replies are no longer retried (the request is redelivered instead). */
  private stopping = false;
  private readonly log: JsonLogger;
  private readonly replies: ReplyPublisher;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly kafka: KafkaService,
    private readonly tasks: TaskClientService,
    logger: JsonLogger,
  ) {
    this.log = logger.child({ component: 'intake' });
    this.replies = new ReplyPublisher(kafka.client);
  }

  async start(): Promise<void> {
    await this.consumer?.stop({ graceMs: 0 });
    this.stopped = false;
    this.stopping = false;
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
    this.stopping = true;
    try {
      await c?.stop({ graceMs: 5000 });
    } finally {
      this.stopped = true;
      await this.replies.close();
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async handle(m: InMessage): Promise<void> {
    const outcome = await this.retry('enqueueing a request', async (): Promise<{ task: TaskState } | { refusal: TasklogError }> => {
      try {
        const { type, payload, options } = readIntakeRequest(m);
        return { task: await this.tasks.enqueue(type as string, payload, options) };
      } catch (e) {
        if (e instanceof TasklogError && REFUSALS.has(e.code)) return { refusal: e };
        throw e;
      }
    });
    if ('refusal' in outcome) await this.refuse(m, outcome.refusal.message);
    const to = replyAddressOf(m);
    if (!to) return;
    if (to.topic !== this.kafka.topics.requestsReply) {
      // The reply topic comes from the request: any other would let a writer of the requests
      // topic make the engine write to its own topics (events, commands, DLQ) or anyone's.
      this.log.write('warn', "request names a reply topic other than the intake's; not answered", {
        replyTopic: to.topic,
        expected: this.kafka.topics.requestsReply,
      });
      return;
    }
    await this.reply(
      to,
      'task' in outcome
        ? { reply: { taskId: outcome.task.id, status: outcome.task.status } }
        : { error: { status: 'error', code: outcome.refusal.code, message: outcome.refusal.message } },
    );
  }

  /**
   * Answers a `ClientKafka.send` once its outcome is durable (the task enqueued, or the dead
   * letter written). A crash before the reply redelivers the request, which finds the same task
   * (its key, else its correlation id, is the idempotency key) and replies again: at least once.
   * A reply topic that keeps refusing is given up after REPLY_WINDOW_MS, not to hold the intake;
   * a reply still failing when the intake stops leaves the request uncommitted, to be redelivered.
   */
  private async reply(to: ReplyAddress, outcome: { reply: IntakeReply } | { error: IntakeReplyError }): Promise<void> {
    const until = Date.now() + REPLY_WINDOW_MS;
    let hopeless: Error | null = null;
    const context = { replyTopic: to.topic, replyPartition: to.partition, correlationId: to.correlationId };
    try {
      const attempt = async () => {
        if (this.stopped) throw new Error('the intake stopped before the reply was written');
        try {
          await this.replies.publish(replyRecord(to, outcome));
        } catch (e) {
          // A partition the reply topic does not have never becomes right: give up at once.
          if ((e as { retriable?: boolean }).retriable === false) hopeless = e as Error;
          else throw e;
        }
      };
      await retryWithBackoff(attempt, {
        initialMs: 200,
        maxMs: 5000,
        stop: () => this.stopping || Date.now() >= until,
        onError: (e, retryInMs) => this.log.write('warn', 'writing a reply failed; retrying', { ...context, error: e.message, retryInMs }),
      });
      if (hopeless) throw hopeless;
    } catch (e) {
      // Stopping: left uncommitted, so the next owner of the partition replies.
      if (this.stopping) throw e;
      this.log.write('warn', 'reply dropped; the request itself was handled', { ...context, error: (e as Error).message });
    }
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
