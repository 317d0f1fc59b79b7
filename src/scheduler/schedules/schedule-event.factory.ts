import { deterministicId } from '../../common/ids';
import { EventSchema, EventType, TaskEvent } from '../../events';
import { SkipReason } from './fire-plan';
import { StoredSchedule } from './schedule.store';

export type FireOrigin = 'cron' | 'trigger' | 'backfill';

/** The idempotency key of a fire: one task per (schedule, fire time), whoever enqueues it. */
export function fireKey(scheduleId: string, fireAt: number): string {
  return `schedule:${scheduleId}:${new Date(fireAt).toISOString()}`;
}

/** The task id a fire has (or would have had): TaskClient derives it from (tenant, key) the same way. */
export function fireTaskId(tenantId: string, scheduleId: string, fireAt: number): string {
  return deterministicId('tasklog', tenantId, fireKey(scheduleId, fireAt));
}

/**
 * A schedule event in the history of the fire's task. Its id is derived from the fire, so a
 * leader that repeats a fire after a failover adds no second history row.
 */
export function scheduleEvent(
  s: StoredSchedule,
  fireAt: number,
  origin: FireOrigin,
  at: string,
  outcome: { fired: true } | { fired: false; reason: SkipReason },
): TaskEvent {
  const taskId = fireTaskId(s.tenantId, s.id, fireAt);
  const base = { scheduleId: s.id, scheduleName: s.name, fireAt: new Date(fireAt).toISOString(), origin };
  const type = outcome.fired ? EventType.SCHEDULE_FIRED : EventType.SCHEDULE_SKIPPED;
  const data = outcome.fired
    ? { ...base, taskType: s.taskType, idempotencyKey: fireKey(s.id, fireAt) }
    : { ...base, reason: outcome.reason };
  return EventSchema.parse({
    id: deterministicId('tasklog:schedule-event', type, taskId),
    type,
    v: 1,
    taskId,
    tenantId: s.tenantId,
    at,
    attempt: 0,
    data,
  }) as TaskEvent;
}
