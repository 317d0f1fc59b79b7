import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { Header } from '../kafka/kafka.types';
import { DatabaseService } from './database.service';
import { DeadLetterConsumer } from './dead-letter.consumer';
import { Projector } from './projector';
import { MetricsService } from '../observability/metrics.service';

/** The projector role inside Nest: the task projection, and the DLQ copied into `dead_letters`. */
@Injectable()
export class ProjectorService implements BeforeApplicationShutdown {
  private projector: Projector | null = null;
  private lanes: Projector | null = null;
  private deadLetters: DeadLetterConsumer | null = null;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly kafka: KafkaService,
    private readonly db: DatabaseService,
    private readonly logger: JsonLogger,
    private readonly metrics: MetricsService,
  ) {}

  async start(): Promise<void> {
    await this.kafka.ensureTopics();
    const store = await this.db.store((before, after, event) => this.metrics.tasks.observe(before, after, event));
    // First, and kept once running: start() is retried as a whole, and must not start it twice.
    if (!this.deadLetters) {
      const consumer = new DeadLetterConsumer(this.kafka.client, await this.db.deadLetterStore(), {
        groupId: `${this.config.topicPrefix}.dead-letters`,
        dlqTopic: this.kafka.topics.dlq,
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        logger: this.logger.child({ component: 'dead-letters' }),
        onStored: (m) => this.metrics.tasks.deadLettered(m.headers[Header.TASK_TYPE]),
      });
      await consumer.start();
      this.deadLetters = consumer;
    }
    const projector = (groupId: string, topics: { eventsTopic?: string; laneTopics: string[] }, component: string) =>
      new Projector(this.kafka.client, store, this.kafka.ordered, {
        groupId,
        ...topics,
        dlqTopic: this.kafka.topics.dlq,
        projection: 'tasks',
        logger: this.logger.child({ component }),
      });
    this.projector = projector(
      `${this.config.topicPrefix}.projector`,
      { eventsTopic: this.kafka.topics.events, laneTopics: [] },
      'projector',
    );
    // Its own consumer group: a lane batch never holds up the events' next fetch (ADR 0009).
    this.lanes = projector(
      `${this.config.topicPrefix}.projector-lanes`,
      { laneTopics: Object.values(this.kafka.topics.commands) },
      'lane-preview',
    );
    try {
      await this.projector.start();
      await this.lanes.start();
    } catch (e) {
      // start() is retried as a whole: leave nothing running behind.
      await Promise.all([this.projector.stop(), this.lanes.stop()]);
      throw e;
    }
  }

  async stop(): Promise<void> {
    const running = [this.projector, this.lanes, this.deadLetters];
    this.projector = null;
    this.lanes = null;
    this.deadLetters = null;
    await Promise.all(running.map((r) => r?.stop()));
  }

  /** Before onApplicationShutdown, so the database and the DLQ producer stay open for the last batch. */
  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}
