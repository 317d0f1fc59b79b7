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
