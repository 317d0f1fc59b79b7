import { TaskStatus } from './task-status';

export interface TaskProgress {
  processed: number | null;
  total: number | null;
  succeeded: number | null;
  failed: number | null;
  message: string | null;
}

export interface TaskBackoff {
  type: 'fixed' | 'exponential';
  delayMs: number;
  maxDelayMs?: number;
}

/** The projected state of one task; what `tasks` rows hold and the API returns. */
export interface TaskState {
  id: string;
  tenantId: string;
  type: string;
  status: TaskStatus;
  priority: number;
  payload: unknown;
  result: unknown;
  /** `code` is the failure's stable machine code (task.failed v2); rows written before it lack it. */
  error: { name: string; message: string; code?: string } | null;
  attempt: number;
  maxAttempts: number;
  backoff: TaskBackoff;
  timeoutMs: number | null;
  progress: TaskProgress;
  runAt: string | null;
  expiresAt: string | null;
  /** When a cancel was first requested; a running task keeps running until its worker aborts it. */
  cancelRequestedAt: string | null;
  /** The current attempt was started again after its worker died (at-least-once made visible). */
  redelivered: boolean;
  idempotencyKey: string | null;
  concurrencyKey: string | null;
  labels: Record<string, string>;
  workerId: string | null;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export const EMPTY_PROGRESS: TaskProgress = {
  processed: null,
  total: null,
  succeeded: null,
  failed: null,
  message: null,
};
