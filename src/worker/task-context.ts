import { JsonLogger } from '../common/logger';

export interface ProgressUpdate {
  processed?: number;
  total?: number;
  succeeded?: number;
  failed?: number;
  message?: string;
}

/** What a handler gets besides its payload. */
export interface TaskContext {
  taskId: string;
  tenantId: string;
  taskType: string;
  attempt: number;
  /**
   * Aborts on cancel, timeout (reason: a TimeoutError) or at the shutdown grace deadline
   * (reason: a ShutdownAbort; the attempt then runs again on another worker). Pass it to
   * fetch, streams, child tasks. A handler that ignores it keeps its concurrency slot.
   */
  signal: AbortSignal;
  /** Cheap to call often: updates are merged and sent at most every progress interval. */
  progress(update: ProgressUpdate): void;
  log: JsonLogger;
  /**
   * The W3C trace id of the enqueuing request (its `traceparent` travels with the task), when it
   * had one or an OpenTelemetry SDK started a trace; the handler also runs inside that context.
   */
  traceId?: string;
}

export type TaskHandlerFn = (payload: unknown, ctx: TaskContext) => unknown | Promise<unknown>;
