import { formatIssues } from '../events';
import { commandKey } from './command-key';
import { evolve, TaskBackoff, TaskState } from '../domain';
import { encodeEvent, EventSchema, EventType, makeEvent, RunCommand, SCHEMA_VERSION, TaskEvent } from '../events';
import { ErrorCode, TasklogError } from '../common/errors';
import { Header, laneFor, OutMessage, recordHeaders, Topics } from '../kafka';
import { EnqueueOptions } from './enqueue-options';
import { validTraceparent } from '../observability/trace-context';

/** The records of one enqueue (one group commit) and the state they lead to. */
export interface BuiltEnqueue {
  records: OutMessage[];
  state: TaskState;
}

/**
 * The one record of a new task, checked against the schemas: its run command carrying
 * `task.enqueued` and `task.queued` (ADR 0009), or for a delayed task `task.enqueued` on the
 * events topic. What TaskClient publishes, alone or in a batch.
 */
export function enqueueRecords(
  deps: { topics: Topics; now: () => number },
  taskId: string,
  tenantId: string,
  taskType: string,
  payload: unknown,
  options: EnqueueOptions,
): BuiltEnqueue {
  const at = new Date(deps.now()).toISOString();
  const scope = { taskId, tenantId, attempt: 0, correlationId: options.correlationId };
  const priority = options.priority ?? 5;
  const maxAttempts = options.maxAttempts ?? 1;
  const backoff: TaskBackoff = options.backoff ?? { type: 'exponential', delayMs: 1000 };
  const runAt =
    options.delayMs !== undefined
      ? new Date(deps.now() + options.delayMs).toISOString()
      : options.runAt
        ? new Date(options.runAt).toISOString()
        : undefined;
  const expiresAt =
    options.ttlMs !== undefined
      ? new Date(deps.now() + options.ttlMs).toISOString()
      : options.expiresAt
        ? new Date(options.expiresAt).toISOString()
        : undefined;
  const enqueued = makeEvent(
    EventType.ENQUEUED,
    scope,
    {
      taskType,
      payload,
      priority,
      maxAttempts,
      backoff,
      ...(runAt ? { runAt } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      ...(options.concurrencyKey ? { concurrencyKey: options.concurrencyKey } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
    },
    at,
  ) as TaskEvent;
  const queued = makeEvent(EventType.QUEUED, { ...scope, attempt: 1 }, { attempt: 1 }, at) as TaskEvent;
  // Events are checked against their schema when produced, not only when projected.
  // task.queued is built from constants; the enqueued event carries everything the caller gave.
  assertValidEvent(enqueued);
  // An invalid traceparent is ignored, as W3C Trace Context says: the task just has no trace.
  const traceparent = validTraceparent(options.traceparent);
  const headers = (type: string) => recordHeaders(type, tenantId, SCHEMA_VERSION, traceparent);
  // Delayed: only the event now; the scheduler queues it when due.
  if (runAt && runAt > at) {
    const record = { topic: deps.topics.events, key: taskId, value: encodeEvent(enqueued), headers: headers(enqueued.type) };
    return { records: [record], state: evolve(null, enqueued)! };
  }
  // Otherwise the run command is the whole enqueue: one record, atomic without a transaction
  // (ADR 0009). It carries both events; the worker appends them to the events topic.
  const { payload: _carried, ...enqueuedData } = enqueued.data as EnqueuedEventData;
  const command: RunCommand = {
    taskId,
    tenantId,
    taskType,
    payload,
    attempt: 1,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(maxAttempts > 1 ? { maxAttempts, backoff } : {}),
    ...(options.correlationId ? { correlationId: options.correlationId } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    enqueuedAt: at,
    origin: { enqueuedId: enqueued.id, queuedId: queued.id, data: enqueuedData },
  };
  const record: OutMessage = {
    topic: deps.topics.commands[laneFor(priority)],
    key: commandKey(tenantId, taskId, options.concurrencyKey),
    value: Buffer.from(JSON.stringify(command)),
    headers: { ...headers('task.run'), [Header.TASK_TYPE]: taskType },
  };
  return { records: [record], state: evolve(evolve(null, enqueued), queued)! };
}

type EnqueuedEventData = TaskEvent<typeof EventType.ENQUEUED>['data'];

/** Events are checked against their schema when produced, not only when projected. */
export function assertValidEvent(e: TaskEvent): void {
  const r = EventSchema.safeParse(e);
  if (r.success) return;
  const detail = formatIssues(r.error.issues);
  throw new TasklogError(ErrorCode.INVALID_INPUT, `invalid task: the ${e.type} event would not pass its schema: ${detail}`);
}
