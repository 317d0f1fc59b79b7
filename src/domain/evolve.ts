import { EventType, TaskEvent } from '../events';
import { EMPTY_PROGRESS, TaskState } from './task-state';
import { EXPIRABLE, isTerminal, REOPENABLE, TaskStatus } from './task-status';

/**
 * The pure reducer. Events that make no sense in the current state change nothing
 * (they stay in history), so duplicates and races cannot corrupt state: the first
 * terminal event wins, and a stale attempt's events are ignored.
 */
export function evolve(state: TaskState | null, event: TaskEvent): TaskState | null {
  if (event.type === EventType.ENQUEUED) {
    if (state) return state;
    const d = event.data;
    const scheduled = d.runAt !== undefined && d.runAt > event.at;
    return {
      id: event.taskId,
      tenantId: event.tenantId,
      type: d.taskType,
      status: scheduled ? TaskStatus.SCHEDULED : TaskStatus.QUEUED,
      priority: d.priority,
      payload: d.payload,
      result: null,
      error: null,
      attempt: 0,
      maxAttempts: d.maxAttempts,
      backoff: d.backoff,
      timeoutMs: d.timeoutMs ?? null,
      progress: EMPTY_PROGRESS,
      runAt: d.runAt ?? null,
      expiresAt: d.expiresAt ?? null,
      cancelRequestedAt: null,
      redelivered: false,
      idempotencyKey: d.idempotencyKey ?? null,
      concurrencyKey: d.concurrencyKey ?? null,
      labels: d.labels ?? {},
      workerId: null,
      createdAt: event.at,
      queuedAt: null,
      startedAt: null,
      finishedAt: null,
      updatedAt: event.at,
    };
  }
  if (event.type === EventType.RETRY_REQUESTED) return reopen(state, event.data.attempts ?? 1, event.at);
  if (!state || isTerminal(state.status)) return state;
  const next = applyLifecycle(state, event);
  return next === state ? state : { ...next, updatedAt: event.at };
}

function applyLifecycle(state: TaskState, event: TaskEvent): TaskState {
  switch (event.type) {
    case EventType.QUEUED:
      if (event.data.attempt <= state.attempt && state.status !== TaskStatus.SCHEDULED) return state;
      // Seen twice for a single-record enqueue (the lane, then the events topic): the second is a repeat.
      if (state.status === TaskStatus.QUEUED && state.queuedAt !== null) return state;
      return { ...state, status: TaskStatus.QUEUED, queuedAt: state.queuedAt ?? event.at };
    case EventType.STARTED:
      if (event.data.attempt < state.attempt) return state;
      if (event.data.attempt === state.attempt && state.status === TaskStatus.RUNNING) {
        // Another worker took over the attempt of one that died: show who runs it now.
        return event.data.redelivery ? { ...state, workerId: event.data.workerId, redelivered: true } : state;
      }
      return {
        ...state,
        status: TaskStatus.RUNNING,
        attempt: event.data.attempt,
        workerId: event.data.workerId,
        startedAt: event.at,
        error: null,
        redelivered: event.data.redelivery === true,
      };
    case EventType.PROGRESSED:
      if (state.status !== TaskStatus.RUNNING || event.attempt !== state.attempt) return state;
      return { ...state, progress: mergeProgress(state.progress, event.data) };
    case EventType.COMPLETED:
      if (event.attempt !== state.attempt) return state;
      return { ...state, status: TaskStatus.COMPLETED, result: event.data.result ?? null, finishedAt: event.at };
    case EventType.FAILED: {
      if (event.attempt !== state.attempt) return state;
      const error = { name: event.data.error.name, message: event.data.error.message, code: event.data.error.code };
      if (event.data.willRetry) return { ...state, status: TaskStatus.RETRYING, error, runAt: event.data.retryAt ?? null };
      return { ...state, status: TaskStatus.FAILED, error, finishedAt: event.at };
    }
    case EventType.CANCEL_REQUESTED:
      if (state.cancelRequestedAt) return state;
      return { ...state, cancelRequestedAt: event.at };
    case EventType.CANCELLED:
      return { ...state, status: TaskStatus.CANCELLED, finishedAt: event.at };
    case EventType.EXPIRED:
      // Expiry means "never started by then": a task already running is left to finish.
      if (!EXPIRABLE.includes(state.status)) return state;
      return { ...state, status: TaskStatus.EXPIRED, finishedAt: event.at };
    default:
      return state;
  }
}

/** A manual retry re-opens a failed, cancelled or expired task with a fresh attempt budget. */
function reopen(state: TaskState | null, attempts: number, at: string): TaskState | null {
  if (!state || !REOPENABLE.includes(state.status)) return state;
  return {
    ...state,
    status: TaskStatus.QUEUED,
    maxAttempts: state.attempt + attempts,
    error: null,
    result: null,
    finishedAt: null,
    runAt: null,
    // Re-opening is a decision to run it after all: an old deadline or cancel request no longer applies.
    expiresAt: null,
    cancelRequestedAt: null,
    progress: EMPTY_PROGRESS,
    updatedAt: at,
  };
}

function mergeProgress(prev: TaskState['progress'], d: Partial<TaskState['progress']>): TaskState['progress'] {
  return {
    processed: d.processed ?? prev.processed,
    total: d.total ?? prev.total,
    succeeded: d.succeeded ?? prev.succeeded,
    failed: d.failed ?? prev.failed,
    message: d.message ?? prev.message,
  };
}
