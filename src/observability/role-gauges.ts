import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { SchedulerService } from '../scheduler/scheduler.service';
import { WorkerService } from '../worker/worker.service';
import { MetricsService } from './metrics.service';

/** Gauges of this process's roles, read at scrape time. */
@Injectable()
export class RoleGauges implements OnModuleInit {
  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly metrics: MetricsService,
    private readonly worker: WorkerService,
    private readonly scheduler: SchedulerService,
  ) {}

  onModuleInit(): void {
    const m = this.metrics;
    m.gauge('tasklog_worker_running_tasks', 'Handlers running in this worker process.', () => this.worker.running);
    m.gauge('tasklog_worker_free_slots', 'Free handler slots in this worker process.', () =>
      this.config.roles.includes('worker') ? Math.max(0, this.config.concurrency - this.worker.running) : 0,
    );
    m.gauge(
      'tasklog_worker_buffered_commands',
      'Run commands fetched by this worker and not finished (running or waiting).',
      () => this.worker.inFlight,
    );
    m.gauge('tasklog_scheduler_leader', '1 while this process leads the scheduler role.', () => (this.scheduler.isLeader ? 1 : 0));
    m.gauge(
      'tasklog_scheduler_due_tasks',
      "Due tasks (delayed, retrying) not dispatched yet when the leader's latest tick read them; 2000 (a batch) means more wait.",
      () => (this.scheduler.isLeader ? this.scheduler.dueTasks : 0),
    );
  }
}
