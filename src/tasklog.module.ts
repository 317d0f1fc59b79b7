import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LagGauges, MetricsService, RoleGauges } from './observability';
import { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } from './tasklog.module-definition';
import { ReadinessService } from './api/readiness.service';
import { ApiKeyResolver } from './api/api-key.resolver';
import { KeyThrottlerGuard, throttlerOptions } from './api/key-throttler.guard';
import { TenantGuard } from './api/tenant.guard';
import { getOptionsToken, getStorageToken, ThrottlerStorageService } from '@nestjs/throttler';
import { WorkerDirectory } from './api/worker-directory';
import { TaskClientService } from './client/task-client.service';
import { Clock } from './common/clock';
import { JsonLogger } from './common/logger';
import { resolveConfig, TASKLOG_CONFIG, TasklogConfig, TasklogModuleOptions } from './config';
import { KafkaService } from './kafka/kafka.service';
import { DatabaseService } from './projection/database.service';
import { ProjectorService } from './projection/projector.service';
import { RolesService } from './runtime/roles.service';
import { SchedulerService } from './scheduler/scheduler.service';
import { RecurringExplorer } from './scheduler/schedules/recurring.explorer';
import { ScheduleService } from './scheduler/schedules/schedule.service';
import { ScheduleModule } from '@nestjs/schedule';
import { IntakeService } from './intake/intake.service';
import { HandlerExplorer } from './worker/handler.explorer';
import { HandlerRegistry } from './worker/handler.registry';
import { WorkerService } from './worker/worker.service';
import { StreamHub } from './stream/stream-hub';
import { StreamService } from './stream/stream.service';

/**
 * The engine as a Nest module: REST API, worker, projector, TaskClient.
 *
 *   @Module({ imports: [TasklogModule.forRoot({ topicPrefix: 'billing' })], providers: [ReportHandlers] })
 */
@Module({
  // Terminus runs the readiness checks; it stays quiet because failed probes answer 503 and log there.
  imports: [DiscoveryModule, ScheduleModule.forRoot(), TerminusModule.forRoot({ logger: false })],
  providers: [
    {
      provide: TASKLOG_CONFIG,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: TasklogModuleOptions): TasklogConfig => resolveConfig(options),
    },
    {
      provide: JsonLogger,
      inject: [TASKLOG_CONFIG, MODULE_OPTIONS_TOKEN],
      useFactory: (config: TasklogConfig, options: TasklogModuleOptions) =>
        new JsonLogger(options.logger ?? config.logLevel, { service: 'tasklog' }),
    },
    MetricsService,
    RoleGauges,
    LagGauges,
    Clock,
    HandlerRegistry,
    HandlerExplorer,
    KafkaService,
    DatabaseService,
    WorkerService,
    ProjectorService,
    RolesService,
    SchedulerService,
    ScheduleService,
    RecurringExplorer,
    TaskClientService,
    ApiKeyResolver,
    IntakeService,
    TenantGuard,
    KeyThrottlerGuard,
    { provide: getOptionsToken(), inject: [TASKLOG_CONFIG], useFactory: throttlerOptions },
    { provide: getStorageToken(), useFactory: () => new ThrottlerStorageService() },
    ReadinessService,
    StreamHub,
    StreamService,
    WorkerDirectory,
  ],
  exports: [
    SchedulerService,
    ScheduleService,
    TaskClientService,
    TASKLOG_CONFIG,
    JsonLogger,
    RolesService,
    WorkerService,
    HandlerRegistry,
    DatabaseService,
    KafkaService,
    WorkerDirectory,
  ],
})
export class TasklogModule extends ConfigurableModuleClass {}
