import { commandKey } from './command-key';
import { deterministicId } from '../common/ids';
import { encodeEvent, EventType, makeEvent, RunCommand, SCHEMA_VERSION, TaskEvent } from '../events';
import { TaskBackoff } from '../domain';
import { Header, laneFor, OutMessage, recordHeaders, Topics } from '../kafka';
import { validTraceparent } from '../observability/trace-context';

/** What a run of one attempt needs; from the projection (scheduler, manual retry). */
export interface RunnableTask {
  id: string;
  tenantId: string;
  type: string;
  payload: unknown;
  priority: number;
  /** The attempt to run. */
  attempt: number;
  timeoutMs: number | null;
  maxAttempts: number;
  backoff: TaskBackoff;
  concurrencyKey: string | null;
  /** Not started by then, the attempt never starts (the worker checks it). */
  expiresAt: string | null;
  createdAt: string;
  /** The trace the run continues (W3C traceparent), put on its records' headers. */
  traceparent?: string | null;
}

/**
 * `task.queued` and the run command of one attempt. The queued event's id is derived from
 * (task, attempt): a dispatch repeated (failover, two retry requests) adds no second history row,
 * and the worker skips a run command for an attempt it already ran.
 */
export function runRecords(topics: Topics, t: RunnableTask, at: string): OutMessage[] {
  const queued = {
    ...makeEvent(EventType.QUEUED, { taskId: t.id, tenantId: t.tenantId, attempt: t.attempt }, { attempt: t.attempt }, at),
    id: deterministicId('tasklog:queued', t.id, String(t.attempt)),
  } as TaskEvent;
  const command: RunCommand = {
    taskId: t.id,
    tenantId: t.tenantId,
    taskType: t.type,
    payload: t.payload,
    attempt: t.attempt,
    ...(t.timeoutMs ? { timeoutMs: t.timeoutMs } : {}),
    ...(t.maxAttempts > t.attempt ? { maxAttempts: t.maxAttempts, backoff: t.backoff } : {}),
    ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}),
    enqueuedAt: t.createdAt,
  };
  const tp = validTraceparent(t.traceparent ?? undefined);
  return [
    { topic: topics.events, key: t.id, value: encodeEvent(queued), headers: recordHeaders(queued.type, t.tenantId, SCHEMA_VERSION, tp) },
    {
      topic: topics.commands[laneFor(t.priority)],
      key: commandKey(t.tenantId, t.id, t.concurrencyKey),
      value: Buffer.from(JSON.stringify(command)),
      headers: { ...recordHeaders('task.run', t.tenantId, SCHEMA_VERSION, tp), [Header.TASK_TYPE]: t.type },
    },
  ];
}
