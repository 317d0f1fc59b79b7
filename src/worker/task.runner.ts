import { formatIssues } from '../events';
import { ensureError, ErrorCode, TasklogError } from '../common/errors';
import { JsonLogger } from '../common/logger';
import { EventDataMap, EventSchema, EventType, makeEvent, RunCommand, RunningTask, TaskEvent } from '../events';
import { backoffDelay } from '../domain/backoff';
import { HandlerRegistry } from './handler.registry';

const DEFAULT_BACKOFF = { type: 'exponential' as const, delayMs: 1000 };
import { errorData, progressData, resultData } from './outcome-data';
import { ProgressReporter } from './progress.reporter';
import { CancelAbort } from './cancel-abort.error';
import { ShutdownAbort } from './shutdown-abort.error';
import { TaskContext } from './task-context';
import { runTraced, startRunTrace } from '../observability/trace-context';

export interface RunnerDeps {
  registry: HandlerRegistry;
  /** Appends events in order (with the task's traceparent header, if any); resolves once Kafka has them. */
  append: (events: TaskEvent[], traceparent?: string) => Promise<void>;
  now: () => number;
  workerId: string;
  progressIntervalMs: number;
  /** Largest result (as JSON) a `task.completed` may carry: the payload limit. */
  maxResultBytes: number;
  logger: JsonLogger;
}

export interface RunResult {
  /** Resolves once every event of the attempt is in Kafka. */
  durable: Promise<void>;
  /** The worker stopped and aborted the handler: no outcome was appended; the attempt must run elsewhere. */
  released: boolean;
}

/** Runs one attempt of one task and appends its lifecycle events. */
export class TaskRunner {
  /** The running attempt of each task, by task id. */
  private readonly aborts = new Map<string, { controller: AbortController; attempt: number; cmd: RunCommand; startedAt: number }>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Aborts every running handler with a ShutdownAbort (shutdown past its grace period). */
  abortAll(reason: string): void {
    for (const { controller } of this.aborts.values()) controller.abort(new ShutdownAbort(reason));
  }

  /**
   * Aborts the task's running attempt with a CancelAbort, if it is one the cancel covers (not a
   * newer attempt begun by a manual retry since). True when an attempt was aborted here.
   */
  cancel(taskId: string, attempt: number, reason: string): boolean {
    const running = this.aborts.get(taskId);
    if (!running || running.attempt > attempt || running.controller.signal.aborted) return false;
    running.controller.abort(new CancelAbort(reason));
    return true;
  }

  /** Handlers that have not returned yet, including those whose attempt already timed out. */
  get running(): number {
    return this.aborts.size;
  }

  /** What runs now, for the worker's heartbeat. */
  runningTasks(): RunningTask[] {
    return [...this.aborts.values()].map(({ cmd, startedAt }) => ({
      taskId: cmd.taskId,
      taskType: cmd.taskType,
      tenantId: cmd.tenantId,
      attempt: cmd.attempt,
      startedAt: new Date(startedAt).toISOString(),
    }));
  }

  /**
   * Runs the handler and resolves once it has really returned (so the caller's concurrency
   * slot counts what runs), with `durable`, which resolves once the outcome is in Kafka. On a
   * timeout the `task.failed` goes out at once, while the slot stays held until the handler returns.
   */
  async run(cmd: RunCommand, opts: { redelivery?: boolean; before?: TaskEvent[]; traceparent?: string } = {}): Promise<RunResult> {
    const { deps } = this;
    const handler = deps.registry.get(cmd.taskType);
    // The worker dead-letters unknown types before this; reaching here is a bug in the caller.
    if (!handler) throw new TasklogError(ErrorCode.UNKNOWN_TASK_TYPE, `no handler for task type "${cmd.taskType}" on this worker`);
    const scope = { taskId: cmd.taskId, tenantId: cmd.tenantId, attempt: cmd.attempt, correlationId: cmd.correlationId };
    const event = <K extends EventType>(type: K, data: EventDataMap[K]) =>
      makeEvent(type, scope, data, new Date(deps.now()).toISOString()) as TaskEvent;
    const log = deps.logger.child({ taskId: cmd.taskId, taskType: cmd.taskType, attempt: cmd.attempt, tenantId: cmd.tenantId });
    const startedAt = deps.now();
    // `before`: the events a single-record enqueue carried (ADR 0009), checked when it was made.
    const tp = opts.traceparent;
    const started = this.appendValid(
      [event(EventType.STARTED, { workerId: deps.workerId, attempt: cmd.attempt, ...(opts.redelivery ? { redelivery: true } : {}) })],
      opts.before,
      tp,
    );
    started.catch(() => undefined);

    const abort = new AbortController();
    const entry = { controller: abort, attempt: cmd.attempt, cmd, startedAt };
    this.aborts.set(cmd.taskId, entry);
    const progressWrites: Promise<void>[] = [];
    const progress = new ProgressReporter(deps.progressIntervalMs, (u) => {
      progressWrites.push(this.appendValid([event(EventType.PROGRESSED, u)], [], tp).catch(() => undefined));
    });
    const runTrace = startRunTrace(tp, cmd.taskType, { 'tasklog.task_id': cmd.taskId, 'tasklog.attempt': cmd.attempt });
    const ctx: TaskContext = {
      taskId: cmd.taskId,
      tenantId: cmd.tenantId,
      taskType: cmd.taskType,
      attempt: cmd.attempt,
      signal: abort.signal,
      progress: (u) => {
        const clean = progressData(u);
        if (clean) progress.update(clean);
      },
      log,
      ...(runTrace.traceId ? { traceId: runTrace.traceId } : {}),
    };

    const handlerDone = runTraced(runTrace, () => handler(cmd.payload, ctx));
    let outcome: TaskEvent | null;
    try {
      const result = await this.withTimeout(handlerDone, cmd.timeoutMs, abort);
      progress.flush();
      const data = resultData(result, deps.maxResultBytes);
      outcome = cancelledBy(abort)
        ? this.cancelled(event, log, cancelledBy(abort)!)
        : 'problem' in data
          ? this.failed(cmd, event, log, Object.assign(new Error(data.problem), { name: 'ResultNotStorable' }), false)
          : event(EventType.COMPLETED, { result: data.json, durationMs: deps.now() - startedAt });
    } catch (thrown) {
      progress.flush();
      const error = ensureError(thrown);
      const released = abort.signal.reason instanceof ShutdownAbort;
      const cancel = cancelledBy(abort);
      outcome = released
        ? null
        : cancel
          ? this.cancelled(event, log, cancel)
          : this.failed(cmd, event, log, error, (error as { retryable?: boolean }).retryable !== false);
      if (released) log.write('info', 'handler aborted by shutdown; the attempt is handed back', {});
    } finally {
      // Later progress from a handler that outlived its timeout would follow the outcome.
      progress.close();
    }
    const last = outcome;
    const durable = (async () => {
      await started;
      await Promise.all(progressWrites);
      if (last) await this.appendValid([last], [], tp);
    })();
    durable.catch(() => undefined);
    try {
      await handlerDone;
    } catch {
      // Already recorded as the outcome.
    } finally {
      // A duplicate run of the same task may have replaced the entry meanwhile; leave that one.
      if (this.aborts.get(cmd.taskId) === entry) this.aborts.delete(cmd.taskId);
    }
    return { durable, released: outcome === null };
  }

  /** A cancelled attempt ends `cancelled`, not completed or failed, and is never retried. */
  private cancelled(
    event: <K extends EventType>(type: K, data: EventDataMap[K]) => TaskEvent,
    log: JsonLogger,
    cancel: CancelAbort,
  ): TaskEvent {
    log.write('info', 'task cancelled while running', { reason: cancel.reason });
    return event(EventType.CANCELLED, { reason: cancel.reason, wasRunning: true });
  }

  /**
   * The retry policy: a retryable failure before the last attempt is `willRetry` with the time of
   * the next attempt (backoff from the command); the scheduler queues it when due. A
   * NonRetryableError, an unstorable result or the last attempt ends the task.
   */
  private failed(
    cmd: RunCommand,
    event: <K extends EventType>(type: K, data: EventDataMap[K]) => TaskEvent,
    log: JsonLogger,
    error: Error,
    retryable: boolean,
  ): TaskEvent {
    const willRetry = retryable && cmd.attempt < (cmd.maxAttempts ?? 1);
    // First the error's data (formatting a stack can take milliseconds), then retryAt and the
    // event from one clock moment: the wait they show is the backoff.
    const data = errorData(error, retryable);
    const retryAt = willRetry
      ? new Date(this.deps.now() + backoffDelay(cmd.attempt, cmd.backoff ?? DEFAULT_BACKOFF)).toISOString()
      : undefined;
    const failed = event(EventType.FAILED, { error: data, willRetry, ...(retryAt ? { retryAt } : {}) });
    log.write('warn', willRetry ? 'task failed; it will retry' : 'task failed', { err: error, retryAt });
    return failed;
  }

  /**
   * Events are validated when produced: one the schema refuses would be dead-lettered by the
   * projector later. An invalid outcome becomes a `task.failed` naming the problem; an
   * invalid progress update is dropped.
   */
  private appendValid(events: TaskEvent[], checkedBefore: TaskEvent[] = [], traceparent?: string): Promise<void> {
    const valid: TaskEvent[] = [...checkedBefore];
    for (const e of events) {
      const check = EventSchema.safeParse(e);
      if (check.success) {
        valid.push(e);
        continue;
      }
      const problem = formatIssues(check.error.issues);
      this.deps.logger.write('error', 'worker built an invalid event', { taskId: e.taskId, type: e.type, problem });
      if (e.type === EventType.COMPLETED || e.type === EventType.FAILED) {
        const error = Object.assign(new Error(`the ${e.type} event was invalid: ${problem}`), { name: 'EventNotValid' });
        valid.push({ ...e, type: EventType.FAILED, data: { error: errorData(error, false), willRetry: false } } as TaskEvent);
      }
    }
    return valid.length > 0 ? this.deps.append(valid, traceparent) : Promise.resolve();
  }

  private async withTimeout(work: Promise<unknown>, timeoutMs: number | undefined, abort: AbortController): Promise<unknown> {
    if (!timeoutMs) return work;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new TasklogError(ErrorCode.TASK_TIMEOUT, `timed out after ${timeoutMs} ms`);
        e.name = 'TimeoutError';
        abort.abort(e);
        reject(e);
      }, timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The cancel that aborted this attempt, if a cancel did (a timeout or shutdown before it wins). */
function cancelledBy(abort: AbortController): CancelAbort | null {
  return abort.signal.reason instanceof CancelAbort ? abort.signal.reason : null;
}
