import { EntitySchema } from '@mikro-orm/core';

/** A recurring schedule: a cron expression in a time zone that enqueues one task per fire. */
export class ScheduleRow {
  id!: string;
  tenantId!: string;
  name!: string;
  taskType!: string;
  cron!: string;
  timezone!: string;
  payload?: unknown;
  /** The fired task's enqueue options (priority, maxAttempts, ...). */
  taskOptions!: Record<string, unknown>;
  graceMs!: number;
  catchUp!: string;
  overlap!: string;
  /** `code` (upserted at startup from @Recurring or module options) or `api`. */
  source!: string;
  paused!: boolean;
  lastFireAt?: Date | null;
  lastTaskId?: string | null;
  /** The leader's cursor: fires from here on are pending. */
  nextFireAt?: Date | null;
  createdAt!: Date;
  updatedAt!: Date;
}

export const ScheduleSchema = new EntitySchema<ScheduleRow>({
  class: ScheduleRow,
  tableName: 'schedules',
  uniques: [{ name: 'schedules_tenant_name_uq', properties: ['tenantId', 'name'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'text' },
    name: { type: 'text' },
    taskType: { type: 'text' },
    cron: { type: 'text' },
    timezone: { type: 'text' },
    payload: { type: 'json', nullable: true },
    taskOptions: { type: 'json', default: "'{}'" },
    graceMs: { type: 'integer', default: 60000 },
    catchUp: { type: 'text', default: "'one'" },
    overlap: { type: 'text', default: "'allow'" },
    source: { type: 'text', default: "'api'" },
    paused: { type: 'boolean' },
    lastFireAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lastTaskId: { type: 'uuid', nullable: true },
    nextFireAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
