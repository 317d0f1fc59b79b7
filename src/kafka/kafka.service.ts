import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaClient } from './kafka.client';
import { OrderedPublisher } from './ordered-publisher';
import { allTopics, Topics, topicsFor } from './topics';
import { TransactionalPublisher } from './transactional-publisher';

/** Owns the Kafka client, topic set-up and the process's two producers. */
@Injectable()
export class KafkaService implements OnApplicationShutdown {
  readonly client: KafkaClient;
  readonly topics: Topics;
  readonly transactional: TransactionalPublisher;
  readonly ordered: OrderedPublisher;
  private topicsReady: Promise<void> | null = null;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly logger: JsonLogger,
  ) {
    this.topics = topicsFor(config.topicPrefix);
    this.client = new KafkaClient({ brokers: config.brokers, clientId: `${config.topicPrefix}-${hostname()}`, logger });
    const txId = `${config.topicPrefix}-enqueue-${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.transactional = new TransactionalPublisher(this.client, txId, logger.child({ component: 'enqueue' }));
    this.ordered = new OrderedPublisher(this.client);
  }

  /** Creates missing topics once per process; retried by callers when Kafka is down. */
  ensureTopics(): Promise<void> {
    this.topicsReady ??= this.client.ensureTopics(allTopics(this.topics), this.config.partitions, this.config.replication).catch((e) => {
      this.topicsReady = null;
      throw e;
    });
    return this.topicsReady;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transactional.close();
    await this.ordered.close();
  }
}
