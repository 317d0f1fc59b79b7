import { EntitySchema } from '@mikro-orm/core';

/**
 * How many of a tenant's tasks are in each (type, status, priority): kept by the projector and
 * by deletions in the same transactions as the task rows, so `GET /v1/stats` reads a few rows
 * instead of counting the tasks table.
 */
export class TaskCountRow {
  tenantId!: string;
  type!: string;
  status!: string;
  priority!: number;
  n!: string;
}

export const TaskCountSchema = new EntitySchema<TaskCountRow>({
  class: TaskCountRow,
  tableName: 'task_counts',
  properties: {
    tenantId: { type: 'text', primary: true },
    type: { type: 'text', primary: true },
    status: { type: 'text', primary: true },
    priority: { type: 'smallint', primary: true },
    n: { type: 'bigint' },
  },
});
