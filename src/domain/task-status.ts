export const TaskStatus = {
  SCHEDULED: 'scheduled',
  QUEUED: 'queued',
  RUNNING: 'running',
  RETRYING: 'retrying',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export const TERMINAL_STATUSES: readonly TaskStatus[] = [TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.EXPIRED];

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Terminal states a manual retry may re-open (a completed task stays completed). */
export const REOPENABLE: readonly TaskStatus[] = [TaskStatus.FAILED, TaskStatus.CANCELLED, TaskStatus.EXPIRED];

/** States of a task that has not started (this attempt): what cancel ends at once and expiry ends at all. */
export const NOT_STARTED: readonly TaskStatus[] = [TaskStatus.SCHEDULED, TaskStatus.QUEUED, TaskStatus.RETRYING];
export const EXPIRABLE = NOT_STARTED;
