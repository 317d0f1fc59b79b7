import { EventType } from './event-types';
import { TaskEvent } from './event.schemas';
import { RunCommand } from './run-command.schema';

/**
 * The `task.enqueued` and `task.queued` a single-record enqueue stands for (ADR 0009), rebuilt
 * with their original ids and time: empty for a command without an origin (a retry or a due
 * delayed task, whose `task.queued` is on the events topic already).
 */
export function originEvents(cmd: RunCommand): TaskEvent[] {
  if (!cmd.origin) return [];
  const scope = {
    taskId: cmd.taskId,
    tenantId: cmd.tenantId,
    at: cmd.enqueuedAt,
    v: 1 as const,
    ...(cmd.correlationId ? { correlationId: cmd.correlationId } : {}),
  };
  const enqueued = {
    ...scope,
    id: cmd.origin.enqueuedId,
    type: EventType.ENQUEUED,
    attempt: 0,
    data: { ...cmd.origin.data, payload: cmd.payload },
  };
  const queued = { ...scope, id: cmd.origin.queuedId, type: EventType.QUEUED, attempt: 1, data: { attempt: 1 } };
  return [enqueued, queued] as TaskEvent[];
}
