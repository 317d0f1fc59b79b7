/** One history row joined with its task's row, as the stream reads it. */
export interface StreamRow {
  event_id: string;
  task_id: string;
  tenant_id: string;
  event_type: string;
  at: Date | string;
  attempt: number;
  data: unknown;
  partition: number;
  offset: string | number;
  task_type: string | null;
  status: string | null;
  task_attempt: number | null;
  max_attempts: number | null;
  progress_processed: number | null;
  progress_total: number | null;
  progress_succeeded: number | null;
  progress_failed: number | null;
  progress_message: string | null;
  error: unknown;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  worker_id: string | null;
}

/** The columns behind StreamRow; the enqueued event's payload stays out (it can be a megabyte). */
export const STREAM_COLUMNS = `e.event_id, e.task_id, e.tenant_id, e.type as event_type, e.at, e.attempt,
  case when e.type = 'task.enqueued' then e.data - 'payload' else e.data end as data, e.partition, e."offset",
  t.type as task_type, t.status, t.attempt as task_attempt, t.max_attempts, t.progress_processed, t.progress_total,
  t.progress_succeeded, t.progress_failed, t.progress_message, t.error, t.started_at, t.finished_at, t.worker_id`;

export const STREAM_FROM = `task_events e left join tasks t on t.id = e.task_id`;

/**
 * What a client receives for one event: what happened (`type`, `data`) and the task as the
 * read model holds it when the message is sent (`task`: status and progress, no payload/result).
 */
export function streamMessage(r: StreamRow) {
  const processed = r.progress_processed;
  const total = r.progress_total;
  const percent = processed !== null && total ? Math.min(100, Math.round((processed / total) * 1000) / 10) : null;
  return {
    eventId: r.event_id,
    type: r.event_type,
    taskId: r.task_id,
    at: iso(r.at),
    attempt: r.attempt,
    data: r.data,
    task: r.status
      ? {
          id: r.task_id,
          type: r.task_type,
          status: r.status,
          attempt: r.task_attempt,
          maxAttempts: r.max_attempts,
          progress: {
            processed,
            total,
            succeeded: r.progress_succeeded,
            failed: r.progress_failed,
            percent,
            message: r.progress_message,
          },
          error: r.error ?? null,
          startedAt: iso(r.started_at),
          finishedAt: iso(r.finished_at),
          workerId: r.worker_id,
        }
      : null,
  };
}

function iso(v: Date | string | null): string | null {
  return v === null ? null : new Date(v).toISOString();
}
