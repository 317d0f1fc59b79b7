import { StoredSchedule } from '../scheduler/schedules/schedule.store';

/** A schedule as the API returns it (camelCase; `nextRunAt` is null while paused). */
export function scheduleView(s: StoredSchedule) {
  return {
    id: s.id,
    tenantId: s.tenantId,
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    task: { type: s.taskType, payload: s.payload, options: s.taskOptions },
    misfire: { graceMs: s.graceMs, catchUp: s.catchUp },
    overlap: s.overlap,
    source: s.source,
    paused: s.paused,
    nextRunAt: s.paused ? null : (s.nextFireAt?.toISOString() ?? null),
    lastRunAt: s.lastFireAt?.toISOString() ?? null,
    lastRun: s.lastTaskId ? { taskId: s.lastTaskId, status: s.lastTaskStatus } : null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
