import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { retryWithBackoff } from '../common/retry';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { IntakeService } from '../intake/intake.service';
import { DatabaseService } from '../projection/database.service';
import { ProjectorService } from '../projection/projector.service';
import { SchedulerService } from '../scheduler/scheduler.service';
import { WorkerService } from '../worker/worker.service';

/**
 * Starts this process's roles (TASKLOG_ROLES) after bootstrap, retrying while Kafka or
 * Postgres are down, so the API answers (503) instead of the process dying.
 */
@Injectable()
export class RolesService implements OnApplicationBootstrap {
  private started: Promise<void> | null = null;
  private isReady = false;
  private shuttingDown = false;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly kafka: KafkaService,
    private readonly db: DatabaseService,
    private readonly worker: WorkerService,
    private readonly projector: ProjectorService,
    private readonly scheduler: SchedulerService,
    private readonly intake: IntakeService,
    private readonly logger: JsonLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.started = this.startAll();
    this.started.catch(() => undefined);
  }

  /** Resolves once every role of this process runs. */
  ready(): Promise<void> {
    return this.started ?? Promise.reject(new Error('roles not started'));
  }

  get readyNow(): boolean {
    return this.isReady;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  private async startAll(): Promise<void> {
    const roles = this.config.roles;
    await this.retry('kafka topics', () => this.kafka.ensureTopics());
    if (roles.includes('api') || roles.includes('projector') || roles.includes('scheduler'))
      await this.retry('database', () => this.db.get());
    // Before ready: the transactional producer's first connect fences a crashed predecessor's
    // open transaction (readers would otherwise wait for its timeout), and the first enqueue
    // does not pay for connecting.
    if (roles.includes('api') || roles.includes('scheduler')) await this.retry('kafka producers', () => this.kafka.connectProducers());
    if (roles.includes('projector')) await this.retry('projector', () => this.projector.start());
    if (roles.includes('worker')) await this.retry('worker', () => this.worker.start());
    if (roles.includes('scheduler')) await this.retry('scheduler', () => this.scheduler.start());
    if (roles.includes('api')) await this.retry('intake', () => this.intake.start());
    this.isReady = true;
    this.logger.write('info', 'tasklog ready', { roles, topicPrefix: this.config.topicPrefix });
  }

  private async retry(what: string, fn: () => Promise<unknown>): Promise<void> {
    await retryWithBackoff(fn, {
      initialMs: 500,
      maxMs: 10000,
      stop: () => this.shuttingDown,
      onError: (e, retryInMs) => this.logger.write('warn', `${what} not available yet; retrying`, { error: e.message, retryInMs }),
    });
  }
}
