export const EventType = {
  ENQUEUED: 'task.enqueued',
  QUEUED: 'task.queued',
  STARTED: 'task.started',
  PROGRESSED: 'task.progressed',
  COMPLETED: 'task.completed',
  FAILED: 'task.failed',
  CANCEL_REQUESTED: 'task.cancel-requested',
  CANCELLED: 'task.cancelled',
  EXPIRED: 'task.expired',
  RETRY_REQUESTED: 'task.retry-requested',
  /** A schedule's fire enqueued its task (taskId = that task). Not a lifecycle event: evolve ignores it. */
  SCHEDULE_FIRED: 'schedule.fired',
  /** A schedule's fire was not run, with the reason (taskId = the task it would have made). */
  SCHEDULE_SKIPPED: 'schedule.skipped',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
