import { uuidv7 } from '../common/ids';
import { EVENT_VERSIONS, EventDataMap, TaskEvent } from './event.schemas';
import { EventType } from './event-types';

export interface EventScope {
  taskId: string;
  tenantId: string;
  attempt: number;
  correlationId?: string;
}

/** Builds a well-formed envelope; `at` comes from the caller's clock. */
export function makeEvent<K extends EventType>(type: K, scope: EventScope, data: EventDataMap[K], at: string): TaskEvent<K> {
  const event = {
    id: uuidv7(),
    type,
    v: EVENT_VERSIONS[type],
    taskId: scope.taskId,
    tenantId: scope.tenantId,
    at,
    attempt: scope.attempt,
    ...(scope.correlationId ? { correlationId: scope.correlationId } : {}),
    data,
  };
  return event as unknown as TaskEvent<K>;
}
