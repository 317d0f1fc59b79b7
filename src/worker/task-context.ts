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
  /** Aborts on cancel, timeout or shutdown; pass it to fetch, streams, child tasks. */
  signal: AbortSignal;
  /** Cheap to call often: updates are merged and sent at most every progress interval. */
  progress(update: ProgressUpdate): void;
  log: JsonLogger;
}

export type TaskHandlerFn = (payload: unknown, ctx: TaskContext) => unknown | Promise<unknown>;
