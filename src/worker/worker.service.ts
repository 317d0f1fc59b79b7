import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { retryWithBackoff } from '../common/retry';
import { hostname } from 'node:os';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { decodeRunCommand, encodeEvent, SCHEMA_VERSION, TaskEvent } from '../events';
import { HandleResult, Header, InMessage, OutMessage, ParallelConsumer } from '../kafka';
import { KafkaService } from '../kafka/kafka.service';
import { HandlerRegistry } from './handler.registry';
import { TaskRunner } from './task.runner';

/** The worker role: consumes the command lanes and runs handlers beside the fetch loop. */
@Injectable()
export class WorkerService implements BeforeApplicationShutdown {
  readonly workerId: string;
  private consumer: ParallelConsumer | null = null;
  private readonly runner: TaskRunner;
  private readonly log: JsonLogger;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly kafka: KafkaService,
    private readonly registry: HandlerRegistry,
    private readonly clock: Clock,
    logger: JsonLogger,
  ) {
    this.workerId = config.workerId ?? `${hostname()}-${process.pid}`;
    this.log = logger.child({ component: 'worker', workerId: this.workerId });
    this.runner = new TaskRunner({
      registry,
      append: (events) => this.append(events),
      now: () => clock.now(),
      workerId: this.workerId,
      progressIntervalMs: config.progressIntervalMs,
      logger: this.log,
    });
  }

  /** Group joins seen by this worker; a long task must not cause more than the first. */
  get joins(): number {
    return this.consumer?.joins ?? 0;
  }

  get running(): number {
    return this.runner.running;
  }

  async start(): Promise<void> {
    await this.kafka.ensureTopics();
    const t = this.kafka.topics.commands;
    this.consumer = new ParallelConsumer(this.kafka.client, {
      groupId: `${this.config.topicPrefix}.workers`,
      topics: [t.high, t.normal, t.low],
      concurrency: this.config.concurrency,
      maxBuffered: Math.max(this.config.concurrency * 4, 100),
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      logger: this.log,
      keyOf: (m) => m.key,
      handle: (m) => this.handle(m),
    });
    await this.consumer.start();
    this.log.write('info', 'worker started', { taskTypes: this.registry.types(), concurrency: this.config.concurrency });
  }

  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    await c?.stop();
  }

  /** Before onApplicationShutdown, so the producers are still open while running tasks finish. */
  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async handle(m: InMessage): Promise<HandleResult> {
    let command;
    try {
      command = decodeRunCommand(m.value);
    } catch (e) {
      await this.kafka.ordered.publish([this.deadLetter(m, `malformed run command: ${(e as Error).message}`)]);
      return;
    }
    return this.runner.run(command);
  }

  /** Retries until Kafka has the events: an outcome is never dropped, and the offset waits for it. */
  private async append(events: TaskEvent[]): Promise<void> {
    return retryWithBackoff(() => this.publish(events), {
      initialMs: 200,
      maxMs: 5000,
      stop: () => !this.consumer,
      onError: (e, retryInMs) => this.log.write('warn', 'appending events failed; retrying', { error: e.message, retryInMs }),
    });
  }

  private publish(events: TaskEvent[]): Promise<void> {
    return this.kafka.ordered.publish(
      events.map((e) => ({
        topic: this.kafka.topics.events,
        key: e.taskId,
        value: encodeEvent(e),
        headers: {
          [Header.EVENT_TYPE]: e.type,
          [Header.SCHEMA_VERSION]: String(SCHEMA_VERSION),
          [Header.TENANT_ID]: e.tenantId,
          [Header.CONTENT_TYPE]: 'application/json',
        },
      })),
    );
  }

  private deadLetter(m: InMessage, reason: string): OutMessage {
    this.log.write('warn', 'bad run command sent to the DLQ', { topic: m.topic, partition: m.partition, offset: m.offset, reason });
    return {
      topic: this.kafka.topics.dlq,
      key: m.key ?? '',
      value: m.value ?? Buffer.alloc(0),
      headers: {
        [Header.DLQ_REASON]: reason,
        [Header.DLQ_SOURCE_TOPIC]: m.topic,
        [Header.DLQ_SOURCE_PARTITION]: String(m.partition),
        [Header.DLQ_SOURCE_OFFSET]: m.offset,
      },
    };
  }
}
