import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { withDeadline } from '../common/deadline';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { DeadLetterQueries } from './dead-letter.queries';
import { DeadLetterStore } from './dead-letter.store';
import { createOrm, migrate } from './orm.factory';
import { ProjectionStore, TransitionObserver } from './projection.store';
import { TaskDeletion } from './task-deletion';
import { TaskSearch } from './task-search';
import { TaskStatsQueries } from './task-stats.queries';
import { TaskQueries } from './task.queries';

/** The process's MikroORM instance, created lazily so a worker-only process needs no database. */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private orm: Promise<MikroORM> | null = null;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly logger: JsonLogger,
  ) {}

  get(): Promise<MikroORM> {
    this.orm ??= (async () => {
      const orm = await createOrm({ databaseUrl: this.config.databaseUrl, schema: this.config.dbSchema });
      const applied = await migrate(orm);
      if (applied.length) this.logger.write('info', 'migrations applied', { applied, schema: this.config.dbSchema });
      return orm;
    })().catch((e) => {
      this.orm = null;
      throw e;
    });
    return this.orm;
  }

  /** Resolves when Postgres answers `select 1` within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<void> {
    const probe = async () => {
      const orm = await this.get();
      await orm.em.getConnection().execute('select 1');
    };
    await withDeadline(probe(), timeoutMs, 'Postgres');
  }

  async queries(): Promise<TaskQueries> {
    return new TaskQueries(await this.get());
  }

  async search(): Promise<TaskSearch> {
    return new TaskSearch(await this.get());
  }

  async statsQueries(): Promise<TaskStatsQueries> {
    return new TaskStatsQueries(await this.get());
  }

  async deletion(): Promise<TaskDeletion> {
    return new TaskDeletion(await this.get());
  }

  async store(observer?: TransitionObserver): Promise<ProjectionStore> {
    return new ProjectionStore(await this.get(), observer);
  }

  async deadLetterQueries(): Promise<DeadLetterQueries> {
    return new DeadLetterQueries(await this.get());
  }

  async deadLetterStore(): Promise<DeadLetterStore> {
    return new DeadLetterStore(await this.get(), this.logger.child({ component: 'dead-letters' }));
  }

  async onApplicationShutdown(): Promise<void> {
    const orm = this.orm;
    this.orm = null;
    if (orm) await (await orm.catch(() => null))?.close();
  }
}
