import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { DatabaseService } from './database.service';
import { Projector } from './projector';

/** The projector role inside Nest. */
@Injectable()
export class ProjectorService implements BeforeApplicationShutdown {
  private projector: Projector | null = null;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly kafka: KafkaService,
    private readonly db: DatabaseService,
    private readonly logger: JsonLogger,
  ) {}

  async start(): Promise<void> {
    await this.kafka.ensureTopics();
    const store = await this.db.store();
    this.projector = new Projector(this.kafka.client, store, this.kafka.ordered, {
      groupId: `${this.config.topicPrefix}.projector`,
      eventsTopic: this.kafka.topics.events,
      dlqTopic: this.kafka.topics.dlq,
      projection: 'tasks',
      logger: this.logger.child({ component: 'projector' }),
    });
    await this.projector.start();
  }

  async stop(): Promise<void> {
    const p = this.projector;
    this.projector = null;
    await p?.stop();
  }

  /** Before onApplicationShutdown, so the database and the DLQ producer stay open for the last batch. */
  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }
}
