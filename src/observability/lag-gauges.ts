import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { MetricsService } from './metrics.service';

/** Lags are read at most this often, however often /metrics is scraped. */
const REFRESH_MS = 5000;
/** A scrape waits at most this long for Kafka; the last values stay when it does not answer. */
const KAFKA_TIMEOUT_MS = 2000;

type Lags = Map<string, Map<string, number>>;

/**
 * Consumer lag of the worker and projector groups (end offsets minus committed offsets, per
 * topic), and the projection's lag in events and seconds. Read on scrape, cached, time-bounded.
 */
@Injectable()
export class LagGauges implements OnModuleInit {
  private last: Lags = new Map();
  private readAt = 0;
  private pending: Promise<Lags> | null = null;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly metrics: MetricsService,
    private readonly kafka: KafkaService,
  ) {}

  private get groups(): Record<string, string[]> {
    const { topics } = this.kafka;
    const lanes = [topics.commands.high, topics.commands.normal, topics.commands.low];
    return { [this.workersGroup]: lanes, [this.projectorGroup]: [topics.events, ...lanes] };
  }

  private get workersGroup(): string {
    return `${this.config.topicPrefix}.workers`;
  }

  private get projectorGroup(): string {
    return `${this.config.topicPrefix}.projector`;
  }

  onModuleInit(): void {
    const self = this;
    const registers = [this.metrics.registry];
    new Gauge({
      name: 'tasklog_consumer_lag',
      help: 'Records not yet consumed (committed) by the worker and projector groups, by group and topic (lane).',
      labelNames: ['group', 'topic'],
      registers,
      async collect() {
        for (const [group, topics] of await self.read()) for (const [topic, lag] of topics) this.set({ group, topic }, lag);
      },
    });
    // Only where the projector runs: the time of its last applied event is known here.
    if (!this.config.roles.includes('projector')) return;
    new Gauge({
      name: 'tasklog_projection_lag_events',
      help: 'Events on the events topic the projection has not applied yet.',
      registers,
      async collect() {
        this.set(await self.projectionLagEvents());
      },
    });
    new Gauge({
      name: 'tasklog_projection_lag_seconds',
      help: 'Now minus the time of the last projected event while events wait; 0 when the projection is caught up.',
      registers,
      async collect() {
        const lastAt = self.metrics.tasks.lastProjectedAt;
        this.set((await self.projectionLagEvents()) > 0 && lastAt > 0 ? Math.max(0, Date.now() - lastAt) / 1000 : 0);
      },
    });
  }

  private async projectionLagEvents(): Promise<number> {
    return (await this.read()).get(this.projectorGroup)?.get(this.kafka.topics.events) ?? 0;
  }

  /** The lags, refreshed at most every REFRESH_MS and shared by concurrent scrapes. */
  private read(): Promise<Lags> {
    if (this.pending) return this.pending;
    if (Date.now() - this.readAt < REFRESH_MS) return Promise.resolve(this.last);
    this.readAt = Date.now();
    const { client } = this.kafka;
    this.pending = Promise.all(
      Object.entries(this.groups).map(async ([group, topics]) => [group, await client.groupLag(group, topics, KAFKA_TIMEOUT_MS)] as const),
    )
      .then((entries) => (this.last = new Map(entries)))
      .catch(() => this.last)
      .finally(() => (this.pending = null));
    return this.pending;
  }
}
