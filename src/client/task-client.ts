import { commandKey } from './command-key';
import { createHash } from 'node:crypto';
import { deterministicId, ErrorCode, TasklogError, uuidv7 } from '../common';
import { canonicalJson } from '../common/canonical-json';
import { evolve, isTerminal, NOT_STARTED, TaskBackoff, TaskState } from '../domain';
import {
  CancelSignal,
  cancelledUnstartedEvent,
  cancelRequestedEvent,
  encodeEvent,
  EventSchema,
  EventType,
  makeEvent,
  RunCommand,
  SCHEMA_VERSION,
  TaskEvent,
} from '../events';
import { Header, laneFor, OutMessage, recordHeaders, Topics, TransactionalPublisher } from '../kafka';
import { EnqueueOptions } from './enqueue-options';
import { validateEnqueue } from './enqueue-validation';
import { runRecords } from './run-records';

export interface TaskClientDeps {
  publisher: TransactionalPublisher;
  topics: Topics;
  now: () => number;
  maxPayloadBytes: number;
  /** Whether a task type can run here; unknown types are refused at enqueue, not at run. */
  isKnownType: (taskType: string) => boolean;
  /** Finds an existing task for an idempotency key (the projection), when one is wired. */
  findExisting?: (tenantId: string, taskId: string) => Promise<TaskState | null>;
  /** The task type's defaults from its handler (`@TaskHandler(type, options)`); task options win. */
  typeDefaults?: (taskType: string) => { maxAttempts?: number; backoff?: TaskBackoff; timeoutMs?: number } | undefined;
  /** Throws (413) when a record is larger than the topics take; checked before it joins a group commit. */
  assertFits?: (messages: OutMessage[]) => void;
}

interface KeyedEnqueue {
  fingerprint: string;
  state: Promise<TaskState>;
}

/**
 * Enqueues tasks: `task.enqueued`, `task.queued` and the run command go out in one Kafka
 * transaction, shared with every other enqueue in flight (group commit).
 *
 *   const task = await client.enqueue('report.build', { month: '2026-11' }, { priority: 8 });
 */
export class TaskClient {
  /** Enqueues by idempotency key, in flight or recent: concurrent repeats share one publish. */
  private readonly keyed = new Map<string, KeyedEnqueue>();

  constructor(private readonly deps: TaskClientDeps) {}

  async enqueue(taskType: string, payload: unknown, options: EnqueueOptions = {}): Promise<TaskState> {
    const valid = validateEnqueue(taskType, payload, options, this.deps.maxPayloadBytes);
    if (!this.deps.isKnownType(valid.taskType)) {
      throw new TasklogError(ErrorCode.UNKNOWN_TASK_TYPE, `unknown task type "${valid.taskType}"`, { taskType: valid.taskType });
    }
    const defaults = this.deps.typeDefaults?.(valid.taskType) ?? {};
    valid.options = {
      ...valid.options,
      maxAttempts: valid.options.maxAttempts ?? defaults.maxAttempts,
      backoff: valid.options.backoff ?? defaults.backoff,
      timeoutMs: valid.options.timeoutMs ?? defaults.timeoutMs,
    };
    const tenantId = valid.options.tenantId ?? 'default';
    const key = valid.options.idempotencyKey;
    if (!key) return this.publish(uuidv7(), tenantId, valid.taskType, valid.payload, valid.options);

    const taskId = deterministicId('tasklog', tenantId, key);
    const fingerprint = fingerprintOf(valid.taskType, valid.payload);
    const known = this.keyed.get(taskId);
    if (known) {
      if (known.fingerprint !== fingerprint) throw conflict(key);
      return known.state;
    }
    const state = (async () => {
      const existing = await this.deps.findExisting?.(tenantId, taskId);
      if (existing) {
        if (fingerprintOf(existing.type, existing.payload) !== fingerprint) throw conflict(key);
        return existing;
      }
      return this.publish(taskId, tenantId, valid.taskType, valid.payload, valid.options);
    })();
    this.remember(taskId, { fingerprint, state });
    // A failed enqueue is forgotten, so a retry with the same key tries again.
    state.catch(() => {
      if (this.keyed.get(taskId)?.state === state) this.keyed.delete(taskId);
    });
    return state;
  }

  private async publish(taskId: string, tenantId: string, taskType: string, payload: unknown, options: EnqueueOptions): Promise<TaskState> {
    const { deps } = this;
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
    for (const e of [enqueued, queued]) assertValidEvent(e);
    const headers = (type: string) => ({
      [Header.EVENT_TYPE]: type,
      [Header.SCHEMA_VERSION]: String(SCHEMA_VERSION),
      [Header.TENANT_ID]: tenantId,
      [Header.CONTENT_TYPE]: 'application/json',
      ...(options.traceparent ? { [Header.TRACEPARENT]: options.traceparent } : {}),
    });
    const enqueuedRecord: OutMessage = {
      topic: deps.topics.events,
      key: taskId,
      value: encodeEvent(enqueued),
      headers: headers(enqueued.type),
    };
    if (runAt && runAt > at) {
      // Delayed: only the event now; the scheduler queues it when due.
      deps.assertFits?.([enqueuedRecord]);
      await deps.publisher.publish([enqueuedRecord]);
      return evolve(null, enqueued)!;
    }
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
    };
    const group: OutMessage[] = [
      enqueuedRecord,
      { topic: deps.topics.events, key: taskId, value: encodeEvent(queued), headers: headers(queued.type) },
      {
        topic: deps.topics.commands[laneFor(priority)],
        key: commandKey(tenantId, taskId, options.concurrencyKey),
        value: Buffer.from(JSON.stringify(command)),
        headers: { ...headers('task.run'), [Header.TASK_TYPE]: taskType },
      },
    ];
    deps.assertFits?.(group);
    await deps.publisher.publish(group);
    return evolve(evolve(null, enqueued), queued)!;
  }

  /**
   * Re-opens a failed, cancelled or expired task: `task.retry-requested`, then `task.queued`
   * and the run command of the next attempt, in one transaction.
   */
  async retry(task: TaskState, requestedBy: string, attempts: number): Promise<TaskState> {
    const at = new Date(this.deps.now()).toISOString();
    const scope = { taskId: task.id, tenantId: task.tenantId, attempt: task.attempt };
    const requested = makeEvent(EventType.RETRY_REQUESTED, scope, { requestedBy, attempts }, at) as TaskEvent;
    assertValidEvent(requested);
    // The re-opened task has no deadline any more (see evolve's reopen), so its command carries none.
    const next = { ...task, attempt: task.attempt + 1, createdAt: task.createdAt, expiresAt: null };
    const group: OutMessage[] = [
      {
        topic: this.deps.topics.events,
        key: task.id,
        value: encodeEvent(requested),
        headers: recordHeaders(requested.type, task.tenantId, SCHEMA_VERSION),
      },
      ...runRecords(this.deps.topics, next, at),
    ];
    this.deps.assertFits?.(group);
    await this.deps.publisher.publish(group);
    return evolve(task, requested)!;
  }

  /**
   * Cancels a task that has not finished. Not started yet: `task.cancel-requested` and
   * `task.cancelled` at once. Running: `task.cancel-requested` only; its worker aborts the
   * handler and writes `task.cancelled`. Either way a cancel signal goes to every worker on the
   * control topic, in the same transaction: a worker holding the command will not start it.
   * A repeated cancel of a running task re-sends the signal and adds nothing to history.
   */
  async cancel(task: TaskState, requestedBy: string, reason?: string): Promise<TaskState> {
    if (isTerminal(task.status)) {
      throw new TasklogError(ErrorCode.TASK_STATE_CONFLICT, `task ${task.id} is ${task.status}; only an unfinished task can be cancelled`, {
        taskId: task.id,
        taskStatus: task.status,
      });
    }
    const at = new Date(this.deps.now()).toISOString();
    const running = !NOT_STARTED.includes(task.status);
    // The attempt the cancel stops: the running one, or the next one to start.
    const attempt = running ? task.attempt : task.attempt + 1;
    const scope = { taskId: task.id, tenantId: task.tenantId, attempt };
    const events: TaskEvent[] = [];
    if (!(running && task.cancelRequestedAt)) {
      events.push(cancelRequestedEvent(scope, { ...(reason ? { reason } : {}), requestedBy }, at));
    }
    if (!running) events.push(cancelledUnstartedEvent(scope, reason || DEFAULT_CANCEL_REASON, at));
    events.forEach(assertValidEvent);
    const signal: CancelSignal = { taskId: task.id, tenantId: task.tenantId, attempt, reason: reason || DEFAULT_CANCEL_REASON };
    const group: OutMessage[] = [
      ...events.map((e) => ({
        topic: this.deps.topics.events,
        key: task.id,
        value: encodeEvent(e),
        headers: recordHeaders(e.type, task.tenantId, SCHEMA_VERSION),
      })),
      {
        topic: this.deps.topics.control,
        key: task.id,
        value: Buffer.from(JSON.stringify(signal)),
        headers: recordHeaders('task.cancel', task.tenantId, SCHEMA_VERSION),
      },
    ];
    this.deps.assertFits?.(group);
    await this.deps.publisher.publish(group);
    return events.reduce<TaskState>((s, e) => evolve(s, e) ?? s, task);
  }

  private remember(taskId: string, entry: KeyedEnqueue): void {
    this.keyed.set(taskId, entry);
    if (this.keyed.size > 10000) this.keyed.delete(this.keyed.keys().next().value!);
  }
}

/** The reason a cancel records when its caller gave none. */
export const DEFAULT_CANCEL_REASON = 'cancelled';

/** What makes two requests "the same" under one idempotency key: the task type and the payload. */
function fingerprintOf(taskType: string, payload: unknown): string {
  return createHash('sha256')
    .update(canonicalJson([taskType, payload ?? null]))
    .digest('hex');
}

function conflict(key: string): TasklogError {
  return new TasklogError(
    ErrorCode.IDEMPOTENCY_CONFLICT,
    `idempotency key "${key}" was already used for a different request (another task type or payload)`,
    { idempotencyKey: key },
  );
}

function assertValidEvent(e: TaskEvent): void {
  const r = EventSchema.safeParse(e);
  if (r.success) return;
  const detail = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new TasklogError(ErrorCode.INVALID_INPUT, `invalid task: the ${e.type} event would not pass its schema: ${detail}`);
}
