import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TaskState, TaskStatus } from '../domain';
import { EventType, TaskEvent } from '../events';

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600];

/**
 * Task lifecycle metrics, counted where every event is applied exactly once: the projector.
 * So counts neither repeat after a worker crash nor depend on which process ran the task; they
 * live in the process that runs the projector role.
 */
export class TaskMetrics {
  private readonly counters: Record<string, Counter<'type'>>;
  readonly duration: Histogram<'type'>;
  readonly wait: Histogram<'type'>;
  readonly projectedAt: Gauge;
  /** Time (ms since epoch) of the newest event applied; 0 before the first. */
  lastProjectedAt = 0;

  constructor(registry: Registry) {
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['type'], registers: [registry] });
    this.counters = {
      enqueued: counter('tasklog_tasks_enqueued_total', 'Tasks enqueued, by task type.'),
      started: counter('tasklog_tasks_started_total', 'Attempts started (redeliveries included), by task type.'),
      completed: counter('tasklog_tasks_completed_total', 'Tasks completed, by task type.'),
      failed: counter('tasklog_tasks_failed_total', 'Tasks failed for good (no attempt left, or not retryable), by task type.'),
      retried: counter('tasklog_tasks_retried_total', 'Failed attempts that will be retried, by task type.'),
      cancelled: counter('tasklog_tasks_cancelled_total', 'Tasks cancelled, by task type.'),
      expired: counter('tasklog_tasks_expired_total', 'Tasks expired before they started, by task type.'),
      deadLettered: counter(
        'tasklog_tasks_dead_lettered_total',
        'Records stored in the DLQ (tasks out of attempts, poison records), by task type when known.',
      ),
    };
    this.duration = new Histogram({
      name: 'tasklog_task_duration_seconds',
      help: 'Handler run time of completed attempts, by task type.',
      labelNames: ['type'],
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    });
    this.wait = new Histogram({
      name: 'tasklog_task_wait_seconds',
      help: 'Time from enqueue (or due time) to the start of the first attempt, by task type.',
      labelNames: ['type'],
      buckets: SECONDS_BUCKETS,
      registers: [registry],
    });
    this.projectedAt = new Gauge({
      name: 'tasklog_projection_last_event_timestamp_seconds',
      help: 'Time of the newest event the projection has applied; now minus this is the projection lag.',
      registers: [registry],
    });
  }

  /** One dead letter stored (by the projector role's DLQ consumer); `unknown` when it names no task type. */
  deadLettered(type: string | undefined): void {
    this.counters.deadLettered.inc({ type: type ?? 'unknown' });
  }

  /** One applied event that changed a task's state. */
  observe(before: TaskState | null, after: TaskState, event: TaskEvent): void {
    const type = { type: after.type };
    this.lastProjectedAt = Math.max(Date.parse(event.at), 0);
    this.projectedAt.set(this.lastProjectedAt / 1000);
    switch (event.type) {
      case EventType.ENQUEUED:
        this.counters.enqueued.inc(type);
        return;
      case EventType.STARTED:
        this.counters.started.inc(type);
        if (event.data.attempt === 1 && before?.status !== TaskStatus.RUNNING) {
          const from = Date.parse(after.runAt && after.runAt > after.createdAt ? after.runAt : after.createdAt);
          this.wait.observe(type, Math.max(0, Date.parse(event.at) - from) / 1000);
        }
        return;
      case EventType.COMPLETED:
        this.counters.completed.inc(type);
        this.duration.observe(type, event.data.durationMs / 1000);
        return;
      case EventType.FAILED:
        this.counters[event.data.willRetry ? 'retried' : 'failed'].inc(type);
        return;
      case EventType.CANCELLED:
        this.counters.cancelled.inc(type);
        return;
      case EventType.EXPIRED:
        this.counters.expired.inc(type);
        return;
    }
  }
}
