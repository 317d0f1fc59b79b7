import { ConfigurableModuleBuilder, Provider, Type } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { BatchController } from './api/batch.controller';
import { DeadLettersController } from './api/dead-letters.controller';
import { HealthController } from './api/health.controller';
import { ProblemFilter } from './api/problem.filter';
import { SchedulesController } from './api/schedules.controller';
import { StatsController } from './api/stats.controller';
import { StreamController } from './api/stream.controller';
import { TasksController } from './api/tasks.controller';
import { WorkersController } from './api/workers.controller';
import { TASKLOG_MOUNTS, TasklogModuleOptions } from './config';
import { DashboardController } from './dashboard/dashboard.controller';
import { HttpMetricsInterceptor, MetricsController } from './observability';

/** What a host app mounts besides the engine; everything is on unless it says otherwise. */
export interface TasklogMounts {
  /** The REST API (`/v1/...`), `/health`, `/metrics` and their request timings. */
  http?: boolean;
  /** The dashboard at `/dashboard` (and the `GET /` redirect to it). */
  dashboard?: boolean;
  /** The global filter that turns every error into problem+json; off when the app has its own. */
  errorFilter?: boolean;
}

const API_CONTROLLERS: Type[] = [
  BatchController,
  TasksController,
  StreamController,
  SchedulesController,
  StatsController,
  DeadLettersController,
  WorkersController,
  HealthController,
  MetricsController,
];

/**
 * `TasklogModule.forRoot({ ...options, http, dashboard, errorFilter })`: options configure the
 * engine; the three extras choose what is mounted on the host app.
 */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<TasklogModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<TasklogMounts>({ http: true, dashboard: true, errorFilter: true }, (definition, extras) => {
    const providers: Provider[] = [{ provide: TASKLOG_MOUNTS, useValue: extras }];
    if (extras.errorFilter) providers.push({ provide: APP_FILTER, useClass: ProblemFilter });
    if (extras.http) providers.push({ provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor });
    return {
      ...definition,
      controllers: [...(extras.http ? API_CONTROLLERS : []), ...(extras.dashboard ? [DashboardController] : [])],
      providers: [...(definition.providers ?? []), ...providers],
    };
  })
  .build();
