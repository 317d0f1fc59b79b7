export const ErrorCode = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  DUPLICATE_HANDLER: 'DUPLICATE_HANDLER',
  UNKNOWN_TASK_TYPE: 'UNKNOWN_TASK_TYPE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INVALID_INPUT: 'INVALID_INPUT',
  TASK_NOT_FOUND: 'TASK_NOT_FOUND',
  BROKER_UNAVAILABLE: 'BROKER_UNAVAILABLE',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  TASK_TIMEOUT: 'TASK_TIMEOUT',
  HANDLER_FAILED: 'HANDLER_FAILED',
  /** An idempotency key reused with a different request. */
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  /** The task is not in a state that allows the request (retry of a running task). */
  TASK_STATE_CONFLICT: 'TASK_STATE_CONFLICT',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** A dependency (Kafka, Postgres) does not answer the readiness probe. */
  NOT_READY: 'NOT_READY',
  /** A schedule with a bad cron expression, time zone or policy. */
  INVALID_SCHEDULE: 'INVALID_SCHEDULE',
  SCHEDULE_NOT_FOUND: 'SCHEDULE_NOT_FOUND',
  /** A code schedule names a task type no handler in the app serves. */
  ORPHANED_SCHEDULE: 'ORPHANED_SCHEDULE',
  /** No API key, or one that is unknown or revoked. */
  API_KEY_INVALID: 'API_KEY_INVALID',
  /** The API key's scope does not cover the route (a read key enqueueing). */
  SCOPE_INSUFFICIENT: 'SCOPE_INSUFFICIENT',
  /** The API key sent more requests than its rate limit allows. */
  RATE_LIMITED: 'RATE_LIMITED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error Tasklog raises on purpose; `code` drives the HTTP mapping. */
export class TasklogError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Thrown by a handler for a failure worth another attempt. */
export class RetryableError extends Error {
  readonly retryable = true;
  constructor(message: string) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** Thrown by a handler for a failure no retry can fix. */
export class NonRetryableError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryableError';
  }
}

/** Normalises anything thrown (strings, objects, undefined) into an Error. */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(JSON.stringify(value));
  } catch {
    return new Error(String(value));
  }
}
