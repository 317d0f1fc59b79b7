import { z } from 'zod';
import { textProblem } from '../common/storable';
import { BackoffSchema } from '../events';

/** A string Postgres can store (no NUL, no unpaired surrogate), of bounded length. */
export const storableText = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .superRefine((s, ctx) => {
      const problem = textProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const MAX_LABELS = 50;
export const MAX_DELAY_MS = 366 * 24 * 3600 * 1000;

/** Options a caller may give with a task; shared by TaskClient, the REST body and the Kafka intake. */
export const EnqueueOptionsSchema = z
  .object({
    priority: z.number().int().min(1).max(10).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    backoff: BackoffSchema.optional(),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(7 * 24 * 3600 * 1000)
      .optional(),
    /** Run at this time (ISO 8601 with offset); the task is `scheduled` until then. */
    runAt: z.iso.datetime({ offset: true }).optional(),
    /** Run this many milliseconds from now; exclusive with runAt. */
    delayMs: z.number().int().min(0).max(MAX_DELAY_MS).optional(),
    /** Not started by this time (ISO 8601 with offset), the task never starts and ends `expired`. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    /** Expires this many milliseconds from now; exclusive with expiresAt. */
    ttlMs: z.number().int().min(1).max(MAX_DELAY_MS).optional(),
    idempotencyKey: storableText(1, 200).optional(),
    concurrencyKey: storableText(1, 200).optional(),
    labels: z
      .record(storableText(1, 100), storableText(0, 500))
      .refine((l) => Object.keys(l).length <= MAX_LABELS, `at most ${MAX_LABELS} labels`)
      .optional(),
    correlationId: storableText(1, 200).optional(),
    traceparent: storableText(1, 200).optional(),
  })
  .strict();

export type EnqueueOptions = z.infer<typeof EnqueueOptionsSchema> & { tenantId?: string };

export const TaskTypeSchema = storableText(1, 200);
