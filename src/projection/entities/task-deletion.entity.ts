import { EntitySchema } from '@mikro-orm/core';

/** A deleted task's tombstone: a projection rebuilt from Kafka leaves it out (ADR 0015). */
export class TaskDeletionRow {
  id!: string;
  tenantId!: string;
  createdAt!: Date;
  deletedAt!: Date;
  tx!: string;
}

export const TaskDeletionSchema = new EntitySchema<TaskDeletionRow>({
  class: TaskDeletionRow,
  tableName: 'task_deletions',
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    deletedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    tx: { type: 'string', columnType: 'xid8', defaultRaw: 'pg_current_xact_id()' },
  },
});
