import { deterministicId } from '../common/ids';
import { EventType } from './event-types';
import { EventScope, makeEvent } from './event.factory';
import { TaskEvent } from './event.schemas';

// Cancel and expiry events. Several parties may write the same one (the API and the worker
// holding the command; the scheduler's sweep and the worker; a client repeating its cancel),
// so its id is derived from (task, attempt): the history keeps one row, and the reducer's
// first terminal wins anyway.

/** `task.expired` for the attempt `scope.attempt` that was not started by `expiresAt`. */
export function expiredEvent(scope: EventScope, expiresAt: string, at: string): TaskEvent {
  const e = makeEvent(EventType.EXPIRED, scope, { expiresAt }, at);
  return { ...e, id: deterministicId('tasklog:expired', scope.taskId, String(scope.attempt)) } as TaskEvent;
}

/** `task.cancelled` of a task whose attempt `scope.attempt` never started. */
export function cancelledUnstartedEvent(scope: EventScope, reason: string, at: string): TaskEvent {
  const e = makeEvent(EventType.CANCELLED, scope, { reason, wasRunning: false }, at);
  return { ...e, id: deterministicId('tasklog:cancelled', scope.taskId, String(scope.attempt)) } as TaskEvent;
}

/**
 * `task.cancel-requested` for the attempt `scope.attempt`. A cancel repeated before the
 * projection shows the first (a client retrying its call) carries the same id: one history row.
 */
export function cancelRequestedEvent(scope: EventScope, data: { reason?: string; requestedBy: string }, at: string): TaskEvent {
  const e = makeEvent(EventType.CANCEL_REQUESTED, scope, data, at);
  return { ...e, id: deterministicId('tasklog:cancel-requested', scope.taskId, String(scope.attempt)) } as TaskEvent;
}
