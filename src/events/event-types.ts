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
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
