import { EntitySchema } from '@mikro-orm/core';

/** Why an event of the task was dead-lettered by the projector. */
export interface ProjectionError {
  eventId: string;
  eventType: string;
  partition: number;
  offset: number;
  reason: string;
  at: string;
}

/** One row per task: its current state (DESIGN.md section 6). */
export class TaskRow {
  id!: string;
  tenantId!: string;
  type!: string;
  status!: string;
  priority!: number;
  payload?: unknown;
  result?: unknown;
  error?: { name: string; message: string; code?: string } | null;
  attempt!: number;
  maxAttempts!: number;
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number; maxDelayMs?: number } | null;
  timeoutMs?: number | null;
  progressProcessed?: number | null;
  progressTotal?: number | null;
  progressSucceeded?: number | null;
  progressFailed?: number | null;
  progressMessage?: string | null;
  runAt?: Date | null;
  expiresAt?: Date | null;
  cancelRequestedAt?: Date | null;
  redelivered!: boolean;
  idempotencyKey?: string | null;
  concurrencyKey?: string | null;
  labels!: Record<string, string>;
  workerId?: string | null;
  createdAt!: Date;
  queuedAt?: Date | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  updatedAt!: Date;
  /** The traceparent of the task's enqueue or latest manual retry: its scheduled runs continue that trace. */
  traceparent?: string | null;
  /** Set when one of the task's events could not be projected and went to the DLQ. */
  projectionError?: ProjectionError | null;
  /** When the projector wrote this row last: projection lag = projectedAt - updatedAt. */
  projectedAt!: Date;
}

export const TaskSchema = new EntitySchema<TaskRow>({
  class: TaskRow,
  tableName: 'tasks',
  indexes: [
    { name: 'tasks_tenant_status_id_idx', properties: ['tenantId', 'status', 'id'] },
    { name: 'tasks_tenant_type_id_idx', properties: ['tenantId', 'type', 'id'] },
  ],
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'text' },
    type: { type: 'text' },
    status: { type: 'text' },
    priority: { type: 'smallint' },
    payload: { type: 'json', nullable: true },
    result: { type: 'json', nullable: true },
    error: { type: 'json', nullable: true },
    attempt: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    backoff: { type: 'json', nullable: true },
    timeoutMs: { type: 'integer', nullable: true },
    progressProcessed: { type: 'double', nullable: true },
    progressTotal: { type: 'double', nullable: true },
    progressSucceeded: { type: 'double', nullable: true },
    progressFailed: { type: 'double', nullable: true },
    progressMessage: { type: 'text', nullable: true },
    runAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    expiresAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    cancelRequestedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    redelivered: { type: 'boolean', default: false },
    idempotencyKey: { type: 'text', nullable: true },
    concurrencyKey: { type: 'text', nullable: true },
    labels: { type: 'json' },
    workerId: { type: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    queuedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    startedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    finishedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
    traceparent: { type: 'text', nullable: true },
    projectionError: { type: 'json', nullable: true },
    projectedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
