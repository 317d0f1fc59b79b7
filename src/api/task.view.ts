import { TaskState } from '../domain';

/** The task as the API returns it (DESIGN.md section 7). */
export function taskView(s: TaskState & { projectionError?: unknown }) {
  const { processed, total } = s.progress;
  const percent = processed !== null && total ? Math.min(100, Math.round((processed / total) * 1000) / 10) : null;
  return {
    id: s.id,
    tenantId: s.tenantId,
    type: s.type,
    status: s.status,
    priority: s.priority,
    payload: s.payload,
    result: s.result,
    error: s.error,
    attempt: s.attempt,
    maxAttempts: s.maxAttempts,
    progress: { ...s.progress, percent },
    runAt: s.runAt,
    expiresAt: s.expiresAt,
    cancelRequestedAt: s.cancelRequestedAt,
    redelivered: s.redelivered,
    createdAt: s.createdAt,
    queuedAt: s.queuedAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    labels: s.labels,
    idempotencyKey: s.idempotencyKey,
    concurrencyKey: s.concurrencyKey,
    workerId: s.workerId,
    /** Present when one of the task's events could not be projected (it is in the DLQ with the reason). */
    projectionError: s.projectionError ?? null,
  };
}
