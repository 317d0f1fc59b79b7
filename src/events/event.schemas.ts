import { z } from 'zod';
import { EventType } from './event-types';

// The one place that defines what each event carries (DESIGN.md section 3).
const json = z.unknown();

/** Limits of the text a worker writes; it cuts what it produces to these. */
export const MAX_PROGRESS_MESSAGE_CHARS = 2000;
export const MAX_ERROR_NAME_CHARS = 200;
export const MAX_ERROR_MESSAGE_CHARS = 4000;
export const MAX_ERROR_CODE_CHARS = 200;
export const MAX_ERROR_STACK_CHARS = 8000;

const DAY_MS = 24 * 3600 * 1000;
export const BackoffSchema = z.object({
  type: z.enum(['fixed', 'exponential']).default('exponential'),
  delayMs: z
    .number()
    .int()
    .min(0)
    .max(7 * DAY_MS)
    .default(1000),
  maxDelayMs: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY_MS)
    .optional(),
});

export const EnqueuedData = z.object({
  taskType: z.string().min(1).max(200),
  payload: json,
  priority: z.number().int().min(1).max(10).default(5),
  runAt: z.string().datetime().optional(),
  maxAttempts: z.number().int().min(1).max(100).default(1),
  backoff: BackoffSchema.default({ type: 'exponential', delayMs: 1000 }),
  timeoutMs: z.number().int().positive().optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
  concurrencyKey: z.string().min(1).max(200).optional(),
  expiresAt: z.string().datetime().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const QueuedData = z.object({ attempt: z.number().int().min(1) });
export const StartedData = z.object({
  workerId: z.string(),
  attempt: z.number().int().min(1),
  redelivery: z.boolean().optional(),
});
export const ProgressedData = z.object({
  processed: z.number().optional(),
  total: z.number().optional(),
  succeeded: z.number().optional(),
  failed: z.number().optional(),
  message: z.string().max(MAX_PROGRESS_MESSAGE_CHARS).optional(),
});
export const CompletedData = z.object({ result: json.optional(), durationMs: z.number().min(0) });
/** task.failed v2 (v1 had no code or stack; see upcasters.ts and docs/adr/0014-event-versions.md). */
export const FailedData = z.object({
  error: z.object({
    name: z.string().max(MAX_ERROR_NAME_CHARS),
    message: z.string().max(MAX_ERROR_MESSAGE_CHARS),
    retryable: z.boolean(),
    /** A stable machine code: the thrown error's string `code`, else its class name. */
    code: z.string().min(1).max(MAX_ERROR_CODE_CHARS),
    /** The stack trace, cut to MAX_ERROR_STACK_CHARS; absent when the error had none. */
    stack: z.string().max(MAX_ERROR_STACK_CHARS).optional(),
  }),
  willRetry: z.boolean(),
  retryAt: z.string().datetime().optional(),
});
export const CancelRequestedData = z.object({ reason: z.string().optional(), requestedBy: z.string() });
export const CancelledData = z.object({ reason: z.string(), wasRunning: z.boolean() });
export const ExpiredData = z.object({ expiresAt: z.string().datetime() });
export const RetryRequestedData = z.object({
  requestedBy: z.string().max(200),
  /** Attempts granted from here on (a fresh budget); absent means one more. */
  attempts: z.number().int().min(1).max(100).optional(),
});

const ScheduleFire = {
  scheduleId: z.string().uuid(),
  scheduleName: z.string().min(1).max(200),
  /** The fire time the cron expression gave (ISO, UTC). */
  fireAt: z.string().datetime(),
  /** How the fire came about: the cron loop, a manual trigger, or a backfill. */
  origin: z.enum(['cron', 'trigger', 'backfill']),
};
export const ScheduleFiredData = z.object({ ...ScheduleFire, taskType: z.string().min(1).max(200), idempotencyKey: z.string().max(200) });
export const ScheduleSkippedData = z.object({
  ...ScheduleFire,
  reason: z.enum(['misfire', 'coalesced', 'catch-up-skipped', 'overlap']),
});

export const DataSchemas = {
  [EventType.ENQUEUED]: EnqueuedData,
  [EventType.QUEUED]: QueuedData,
  [EventType.STARTED]: StartedData,
  [EventType.PROGRESSED]: ProgressedData,
  [EventType.COMPLETED]: CompletedData,
  [EventType.FAILED]: FailedData,
  [EventType.CANCEL_REQUESTED]: CancelRequestedData,
  [EventType.CANCELLED]: CancelledData,
  [EventType.EXPIRED]: ExpiredData,
  [EventType.RETRY_REQUESTED]: RetryRequestedData,
  [EventType.SCHEDULE_FIRED]: ScheduleFiredData,
  [EventType.SCHEDULE_SKIPPED]: ScheduleSkippedData,
} as const;

export type EventDataMap = { [K in EventType]: z.infer<(typeof DataSchemas)[K]> };

/**
 * The version each event type is written in today (the envelope's `v` and the `schema-version`
 * header). Older versions are upcast on read (upcasters.ts); a bump needs an upcaster there.
 */
export const EVENT_VERSIONS: Readonly<Record<EventType, number>> = {
  ...(Object.fromEntries(Object.keys(DataSchemas).map((t) => [t, 1])) as Record<EventType, number>),
  [EventType.FAILED]: 2,
};

const EnvelopeBase = z.object({
  id: z.string().uuid(),
  taskId: z.string().uuid(),
  tenantId: z.string().min(1),
  at: z.string().datetime(),
  attempt: z.number().int().min(0),
  correlationId: z.string().optional(),
});

export const EventSchema = z.discriminatedUnion(
  'type',
  Object.entries(DataSchemas).map(([type, data]) =>
    EnvelopeBase.extend({ type: z.literal(type as EventType), v: z.literal(EVENT_VERSIONS[type as EventType]), data }),
  ) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]],
);

export type TaskEvent<K extends EventType = EventType> = {
  [T in K]: z.infer<typeof EnvelopeBase> & { type: T; v: number; data: EventDataMap[T] };
}[K];

export type EnqueuedEventData = EventDataMap[typeof EventType.ENQUEUED];
export type TaskEnvelope = z.infer<typeof EnvelopeBase> & { v: number };
