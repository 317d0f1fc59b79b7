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
