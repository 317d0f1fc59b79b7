import { EntitySchema } from '@mikro-orm/core';

/** Cron definitions (used by the scheduler role; the table exists from the first migration). */
export class ScheduleRow {
  id!: string;
  tenantId!: string;
  name!: string;
  taskType!: string;
  cron!: string;
  timezone!: string;
  payload?: unknown;
  misfire!: string;
  paused!: boolean;
  lastFireAt?: Date | null;
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
    misfire: { type: 'text' },
    paused: { type: 'boolean' },
    lastFireAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    nextFireAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
