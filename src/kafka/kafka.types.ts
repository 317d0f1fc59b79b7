/** Our own message shapes, so nothing outside src/kafka depends on kafkajs types. */
export interface OutMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface InMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
  /** Another consumer of the group had already started this message (it crashed before finishing). */
  redelivered?: boolean;
}

export const Header = {
  EVENT_TYPE: 'event-type',
  SCHEMA_VERSION: 'schema-version',
  TENANT_ID: 'tenant-id',
  TRACEPARENT: 'traceparent',
  CONTENT_TYPE: 'content-type',
  DLQ_REASON: 'dlq-reason',
  DLQ_SOURCE_TOPIC: 'dlq-source-topic',
  DLQ_SOURCE_PARTITION: 'dlq-source-partition',
  DLQ_SOURCE_OFFSET: 'dlq-source-offset',
  DLQ_ATTEMPT: 'dlq-attempt',
  DLQ_FAILED_AT: 'dlq-failed-at',
  /** Set when the original value did not fit: its size and SHA-256; the value then holds a reference. */
  DLQ_ORIGINAL_BYTES: 'dlq-original-bytes',
  DLQ_ORIGINAL_SHA256: 'dlq-original-sha256',
  DLQ_TRUNCATED: 'dlq-truncated',
  /** Which kind of dead letter (DeadLetterKind); letters written before it existed were all poison. */
  DLQ_KIND: 'dlq-kind',
  /** The task the letter is about, when known (a run command's key may be its concurrencyKey instead). */
  DLQ_TASK_ID: 'dlq-task-id',
  /** On a run command a stopping worker handed back unrun (or aborted): the next run is a redelivery. */
  RELEASED: 'tasklog-released',
  /** On run commands: the task type, so a worker can apply the type's own cap before decoding. */
  TASK_TYPE: 'task-type',
} as const;

/** Why a record is in the DLQ: a task that used up its attempts, or a record the engine could not take. */
export const DeadLetterKind = {
  TASK_EXHAUSTED: 'task-exhausted',
  POISON: 'poison',
} as const;
export type DeadLetterKind = (typeof DeadLetterKind)[keyof typeof DeadLetterKind];
