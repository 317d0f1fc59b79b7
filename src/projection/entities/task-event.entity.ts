import { EntitySchema } from '@mikro-orm/core';

/** Full history: every event the projector has seen, once, with where it came from. */
export class TaskEventRow {
  eventId!: string;
  taskId!: string;
  tenantId!: string;
  type!: string;
  at!: Date;
  attempt!: number;
  data!: unknown;
  partition!: number;
  offset!: string;
}

export const TaskEventSchema = new EntitySchema<TaskEventRow>({
  class: TaskEventRow,
  tableName: 'task_events',
  indexes: [
    { name: 'task_events_task_offset_idx', properties: ['taskId', 'offset'] },
    { name: 'task_events_partition_offset_idx', properties: ['partition', 'offset'] },
  ],
  properties: {
    eventId: { type: 'uuid', primary: true },
    taskId: { type: 'uuid' },
    tenantId: { type: 'text' },
    type: { type: 'text' },
    at: { type: 'Date', columnType: 'timestamptz' },
    attempt: { type: 'integer' },
    data: { type: 'json' },
    partition: { type: 'integer' },
    offset: { type: 'bigint' },
  },
});
