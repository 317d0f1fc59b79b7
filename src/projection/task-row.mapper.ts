import { TaskState, TaskStatus } from '../domain';
import { findUnstorable, toStorableText } from '../common/storable';
import { ProjectionError } from './entities/task.entity';

/** A task as the read model holds it: its state, plus the mark of an event that could not be projected. */
export type ProjectedTask = TaskState & { projectionError: ProjectionError | null };

/** Column order shared by the upsert and the select; snake_case as in the migration. */
export const TASK_COLUMNS: [string, string][] = [
  ['id', 'uuid'],
  ['tenant_id', 'text'],
  ['type', 'text'],
  ['status', 'text'],
  ['priority', 'smallint'],
  ['payload', 'jsonb'],
  ['result', 'jsonb'],
  ['error', 'jsonb'],
  ['attempt', 'int'],
  ['max_attempts', 'int'],
  ['backoff', 'jsonb'],
  ['timeout_ms', 'int'],
  ['progress_processed', 'double precision'],
  ['progress_total', 'double precision'],
  ['progress_succeeded', 'double precision'],
  ['progress_failed', 'double precision'],
  ['progress_message', 'text'],
  ['run_at', 'timestamptz'],
  ['expires_at', 'timestamptz'],
  ['cancel_requested_at', 'timestamptz'],
  ['redelivered', 'boolean'],
  ['idempotency_key', 'text'],
  ['concurrency_key', 'text'],
  ['labels', 'jsonb'],
  ['worker_id', 'text'],
  ['created_at', 'timestamptz'],
  ['queued_at', 'timestamptz'],
  ['started_at', 'timestamptz'],
  ['finished_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
];

export type TaskRecord = Record<string, unknown>;

export function stateToRecord(s: TaskState): TaskRecord {
  return {
    id: s.id,
    tenant_id: s.tenantId,
    type: s.type,
    status: s.status,
    priority: s.priority,
    payload: s.payload ?? null,
    result: s.result ?? null,
    error: s.error,
    attempt: s.attempt,
    max_attempts: s.maxAttempts,
    backoff: s.backoff,
    timeout_ms: s.timeoutMs,
    progress_processed: s.progress.processed,
    progress_total: s.progress.total,
    progress_succeeded: s.progress.succeeded,
    progress_failed: s.progress.failed,
    progress_message: s.progress.message,
    run_at: s.runAt,
    expires_at: s.expiresAt,
    cancel_requested_at: s.cancelRequestedAt,
    redelivered: s.redelivered,
    idempotency_key: s.idempotencyKey,
    concurrency_key: s.concurrencyKey,
    labels: s.labels,
    worker_id: s.workerId,
    created_at: s.createdAt,
    queued_at: s.queuedAt,
    started_at: s.startedAt,
    finished_at: s.finishedAt,
    updated_at: s.updatedAt,
  };
}

const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string | Date).toISOString());
const num = (v: unknown): number | null => (v == null ? null : Number(v));

export function recordToState(r: TaskRecord): TaskState {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    type: String(r.type),
    status: r.status as TaskStatus,
    priority: Number(r.priority),
    payload: r.payload ?? null,
    result: r.result ?? null,
    error: (r.error as TaskState['error']) ?? null,
    attempt: Number(r.attempt),
    maxAttempts: Number(r.max_attempts),
    backoff: (r.backoff as TaskState['backoff']) ?? { type: 'exponential', delayMs: 1000 },
    timeoutMs: num(r.timeout_ms),
    progress: {
      processed: num(r.progress_processed),
      total: num(r.progress_total),
      succeeded: num(r.progress_succeeded),
      failed: num(r.progress_failed),
      message: (r.progress_message as string | null) ?? null,
    },
    runAt: iso(r.run_at),
    expiresAt: iso(r.expires_at),
    cancelRequestedAt: iso(r.cancel_requested_at),
    redelivered: r.redelivered === true,
    idempotencyKey: (r.idempotency_key as string | null) ?? null,
    concurrencyKey: (r.concurrency_key as string | null) ?? null,
    labels: (r.labels as Record<string, string>) ?? {},
    workerId: (r.worker_id as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    queuedAt: iso(r.queued_at),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    updatedAt: iso(r.updated_at)!,
  };
}

export function recordToProjectedTask(r: TaskRecord): ProjectedTask {
  return { ...recordToState(r), projectionError: (r.projection_error as ProjectionError | null) ?? null };
}

/** The record with what Postgres refuses taken out: unstorable JSON becomes null ({} for labels), text is cleaned. */
export function storableRecord(r: TaskRecord): TaskRecord {
  const out: TaskRecord = {};
  for (const [k, v] of Object.entries(r)) {
    if (typeof v === 'string') out[k] = toStorableText(v);
    else if (v !== null && typeof v === 'object' && findUnstorable(v, k)) out[k] = k === 'labels' ? {} : null;
    else out[k] = v;
  }
  return out;
}
