import { EntitySchema } from '@mikro-orm/core';

/**
 * One row per record of the DLQ topic, keyed by its position there, so replaying the topic
 * inserts nothing twice. Exactly one of `valueJson` / `valueText` is set.
 */
export class DeadLetterRow {
  dlqPartition!: number;
  dlqOffset!: string;
  kind!: string;
  reason!: string;
  taskId?: string | null;
  /** Null for poison that names no tenant; listed for tenant `default` only. */
  tenantId?: string | null;
  attempt?: number | null;
  sourceTopic?: string | null;
  sourcePartition?: number | null;
  sourceOffset?: string | null;
  failedAt!: Date;
  truncated!: boolean;
  originalBytes!: number;
  valueJson?: unknown;
  valueText?: string | null;
  storedAt!: Date;
}

export const DeadLetterSchema = new EntitySchema<DeadLetterRow>({
  class: DeadLetterRow,
  tableName: 'dead_letters',
  indexes: [
    { name: 'dead_letters_tenant_failed_idx', properties: ['tenantId', 'failedAt', 'dlqPartition', 'dlqOffset'] },
    { name: 'dead_letters_task_idx', properties: ['taskId'] },
  ],
  uniques: [
    // A resent final task.failed may write its letter twice; one per task attempt is listed.
    {
      name: 'dead_letters_exhausted_attempt_uq',
      expression: `create unique index "dead_letters_exhausted_attempt_uq" on "dead_letters" ("task_id", "attempt") where "kind" = 'task-exhausted'`,
    },
  ],
  properties: {
    dlqPartition: { type: 'integer', primary: true },
    dlqOffset: { type: 'bigint', primary: true },
    kind: { type: 'text' },
    reason: { type: 'text' },
    taskId: { type: 'uuid', nullable: true },
    tenantId: { type: 'text', nullable: true },
    attempt: { type: 'integer', nullable: true },
    sourceTopic: { type: 'text', nullable: true },
    sourcePartition: { type: 'integer', nullable: true },
    sourceOffset: { type: 'bigint', nullable: true },
    failedAt: { type: 'Date', columnType: 'timestamptz' },
    truncated: { type: 'boolean' },
    originalBytes: { type: 'integer' },
    valueJson: { type: 'json', nullable: true },
    valueText: { type: 'text', nullable: true },
    storedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
