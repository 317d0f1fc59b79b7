import { ensureError, ErrorCode, TasklogError } from '../common/errors';
import { JsonLogger } from '../common/logger';
import { EventDataMap, EventType, makeEvent, RunCommand, TaskEvent } from '../events';
import { HandlerRegistry } from './handler.registry';
import { ProgressReporter } from './progress.reporter';
import { TaskContext } from './task-context';

export interface RunnerDeps {
  registry: HandlerRegistry;
  /** Appends events in order; resolves once Kafka has them. */
  append: (events: TaskEvent[]) => Promise<void>;
  now: () => number;
  workerId: string;
  progressIntervalMs: number;
  logger: JsonLogger;
}

/** Runs one attempt of one task and appends its lifecycle events. */
export class TaskRunner {
  private readonly aborts = new Map<string, AbortController>();

  constructor(private readonly deps: RunnerDeps) {}

  /** Aborts every running handler (shutdown past its grace period). */
  abortAll(reason: string): void {
    for (const c of this.aborts.values()) c.abort(new Error(reason));
  }

  get running(): number {
    return this.aborts.size;
  }

  /**
   * Runs the handler; resolves when it has finished, with `durable`, which resolves once
   * the outcome is in Kafka. The caller frees the concurrency slot at the first and commits
   * the offset only after the second.
   */
  async run(cmd: RunCommand): Promise<{ durable: Promise<void> }> {
    const { deps } = this;
    const scope = { taskId: cmd.taskId, tenantId: cmd.tenantId, attempt: cmd.attempt, correlationId: cmd.correlationId };
    const event = <K extends EventType>(type: K, data: EventDataMap[K]) =>
      makeEvent(type, scope, data, new Date(deps.now()).toISOString()) as TaskEvent;
    const startedAt = deps.now();
    const started = deps.append([event(EventType.STARTED, { workerId: deps.workerId, attempt: cmd.attempt })]);
    started.catch(() => undefined);

    const abort = new AbortController();
    this.aborts.set(cmd.taskId, abort);
    const progressWrites: Promise<void>[] = [];
    const progress = new ProgressReporter(deps.progressIntervalMs, (u) => {
      progressWrites.push(deps.append([event(EventType.PROGRESSED, u)]).catch(() => undefined));
    });
    const log = deps.logger.child({ taskId: cmd.taskId, taskType: cmd.taskType, attempt: cmd.attempt });
    const ctx: TaskContext = {
      taskId: cmd.taskId,
      tenantId: cmd.tenantId,
      taskType: cmd.taskType,
      attempt: cmd.attempt,
      signal: abort.signal,
      progress: (u) => progress.update(u),
      log,
    };

    let outcome: TaskEvent;
    try {
      const result = await this.invoke(cmd, ctx, abort);
      progress.flush();
      outcome = event(EventType.COMPLETED, {
        result: result === undefined ? undefined : toJson(result),
        durationMs: deps.now() - startedAt,
      });
    } catch (thrown) {
      progress.flush();
      const error = ensureError(thrown);
      const retryable =
        (error as { retryable?: boolean }).retryable !== false &&
        !(error instanceof TasklogError && error.code === ErrorCode.UNKNOWN_TASK_TYPE);
      log.write('warn', 'task failed', { error: error.message, errorName: error.name });
      // Retries with backoff are decided by the scheduler (not built yet): every failure is final for now.
      outcome = event(EventType.FAILED, { error: { name: error.name, message: error.message, retryable }, willRetry: false });
    } finally {
      progress.close();
      this.aborts.delete(cmd.taskId);
    }
    const durable = (async () => {
      await started;
      await Promise.all(progressWrites);
      await deps.append([outcome]);
    })();
    return { durable };
  }

  private async invoke(cmd: RunCommand, ctx: TaskContext, abort: AbortController): Promise<unknown> {
    const handler = this.deps.registry.get(cmd.taskType);
    if (!handler) throw new TasklogError(ErrorCode.UNKNOWN_TASK_TYPE, `no handler for task type "${cmd.taskType}" on this worker`);
    if (!cmd.timeoutMs) return handler(cmd.payload, ctx);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new TasklogError(ErrorCode.TASK_TIMEOUT, `timed out after ${cmd.timeoutMs} ms`);
        e.name = 'TimeoutError';
        abort.abort(e);
        reject(e);
      }, cmd.timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve(handler(cmd.payload, ctx)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function toJson(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value));
  } catch {
    return String(value);
  }
}
