import { createHash } from 'node:crypto';
import { deterministicId, ErrorCode, TasklogError, uuidv7 } from '../common';
import { canonicalJson } from '../common/canonical-json';
import { evolve, isTerminal, NOT_STARTED, TaskBackoff, TaskState } from '../domain';
import {
  CancelSignal,
  cancelledUnstartedEvent,
  cancelRequestedEvent,
  encodeEvent,
  EventType,
  makeEvent,
  SCHEMA_VERSION,
  TaskEvent,
} from '../events';
import { OutMessage, recordHeaders, Topics, TransactionalPublisher } from '../kafka';
import { EnqueueOptions } from './enqueue-options';
import { validateEnqueue } from './enqueue-validation';
import { runRecords } from './run-records';
import { assertValidEvent, BuiltEnqueue, enqueueRecords } from './enqueue-records';
import { validTraceparent } from '../observability/trace-context';

export interface TaskClientDeps {
  /** Groups of records that must land together (a batch, a retry, a cancel): one Kafka transaction each, group-committed. */
  publisher: TransactionalPublisher;
  /** Single-record enqueues (ADR 0009): an idempotent producer, batched; the transactional one when absent. */
  single?: { publish(messages: OutMessage[]): Promise<void> };
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

export interface BatchItem {
  type: string;
  payload?: unknown;
  options?: Omit<EnqueueOptions, 'tenantId'>;
}

export type BatchItemResult =
  | { index: number; ok: true; task: TaskState }
  | { index: number; ok: false; error: { code: ErrorCode; message: string; [detail: string]: unknown } };

interface KeyedEnqueue {
  fingerprint: string;
  state: Promise<TaskState>;
}

/**
 * Enqueues tasks. An enqueue is one record (ADR 0009): the run command carrying `task.enqueued`
 * and `task.queued`, sent through an idempotent producer batched with every other enqueue in
 * flight; a batch goes out in one Kafka transaction.
 *
 *   const task = await client.enqueue('report.build', { month: '2026-11' }, { priority: 8 });
 */
export class TaskClient {
  /** Enqueues by idempotency key, in flight or recent: concurrent repeats share one publish. */
  private readonly keyed = new Map<string, KeyedEnqueue>();

  constructor(private readonly deps: TaskClientDeps) {}

  async enqueue(taskType: string, payload: unknown, options: EnqueueOptions = {}): Promise<TaskState> {
    const valid = this.checked(taskType, payload, options);
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

  /**
   * Enqueues many tasks in one Kafka transaction. Each item is validated on its own: a bad one
   * gets its error and the others go ahead, unless `atomic`, where any bad item refuses the whole
   * batch (400, each item's error in `details.items`) and nothing is published. An item whose
   * idempotency key is already used answers that task, as `enqueue` does.
   */
  async enqueueBatch(items: BatchItem[], opts: { tenantId?: string; atomic?: boolean } = {}): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = [];
    const fresh: { index: number; built: BuiltEnqueue }[] = [];
    const inBatch = new Map<string, { fingerprint: string; index: number }>();
    for (const [index, item] of items.entries()) {
      try {
        const valid = this.checked(item.type, item.payload, { ...(item.options ?? {}), tenantId: opts.tenantId });
        const tenantId = opts.tenantId ?? 'default';
        const key = valid.options.idempotencyKey;
        const taskId = key ? deterministicId('tasklog', tenantId, key) : uuidv7();
        if (key) {
          const fingerprint = fingerprintOf(valid.taskType, valid.payload);
          const twin = inBatch.get(taskId);
          if (twin) {
            if (twin.fingerprint !== fingerprint) throw conflict(key);
            results.push({ index, ok: true, task: fresh.find((f) => f.index === twin.index)!.built.state });
            continue;
          }
          const existing = (await this.keyed.get(taskId)?.state.catch(() => null)) ?? (await this.deps.findExisting?.(tenantId, taskId));
          if (existing) {
            if (fingerprintOf(existing.type, existing.payload) !== fingerprint) throw conflict(key);
            results.push({ index, ok: true, task: existing });
            continue;
          }
          inBatch.set(taskId, { fingerprint, index });
        }
        const built = enqueueRecords(this.deps, taskId, tenantId, valid.taskType, valid.payload, valid.options);
        this.deps.assertFits?.(built.records);
        fresh.push({ index, built });
        results.push({ index, ok: true, task: built.state });
      } catch (e) {
        if (!(e instanceof TasklogError) || e.code === ErrorCode.DATABASE_UNAVAILABLE) throw e;
        results.push({ index, ok: false, error: { code: e.code, message: e.message, ...(e.details ?? {}) } });
      }
    }
    const bad = results.filter((r) => !r.ok);
    if (opts.atomic && bad.length) {
      throw new TasklogError(ErrorCode.INVALID_INPUT, `batch refused: ${bad.length} of ${items.length} items are invalid (atomic)`, {
        items: bad,
      });
    }
    if (fresh.length) await this.deps.publisher.publish(fresh.flatMap((f) => f.built.records));
    return results;
  }

  /** Validation, a known type and the type's defaults: what every enqueue goes through. */
  private checked(taskType: unknown, payload: unknown, options: EnqueueOptions) {
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
    return valid;
  }

  private async publish(taskId: string, tenantId: string, taskType: string, payload: unknown, options: EnqueueOptions): Promise<TaskState> {
    const built = enqueueRecords(this.deps, taskId, tenantId, taskType, payload, options);
    this.deps.assertFits?.(built.records);
    await (this.deps.single ?? this.deps.publisher).publish(built.records);
    return built.state;
  }

  /**
   * Re-opens a failed, cancelled or expired task: `task.retry-requested`, then `task.queued`
   * and the run command of the next attempt, in one transaction. A retry starts its own trace:
   * the records carry `traceparent` (the retry request's), and so do later automatic retries.
   */
  async retry(task: TaskState, requestedBy: string, attempts: number, traceparent?: string): Promise<TaskState> {
    const at = new Date(this.deps.now()).toISOString();
    const scope = { taskId: task.id, tenantId: task.tenantId, attempt: task.attempt };
    const requested = makeEvent(EventType.RETRY_REQUESTED, scope, { requestedBy, attempts }, at) as TaskEvent;
    assertValidEvent(requested);
    // The re-opened task has no deadline any more (see evolve's reopen), so its command carries none.
    const tp = validTraceparent(traceparent);
    const next = { ...task, attempt: task.attempt + 1, createdAt: task.createdAt, expiresAt: null, traceparent: tp };
    const group: OutMessage[] = [
      {
        topic: this.deps.topics.events,
        key: task.id,
        value: encodeEvent(requested),
        headers: recordHeaders(requested.type, task.tenantId, SCHEMA_VERSION, tp),
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
