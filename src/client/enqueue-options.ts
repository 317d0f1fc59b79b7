import { z } from 'zod';
import { BackoffSchema } from '../events';

/** Options a caller may give with a task; shared by TaskClient and the REST body. */
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
    idempotencyKey: z.string().min(1).max(200).optional(),
    concurrencyKey: z.string().min(1).max(200).optional(),
    labels: z.record(z.string().max(100), z.string().max(500)).optional(),
    correlationId: z.string().max(200).optional(),
    traceparent: z.string().max(200).optional(),
  })
  .strict();

export type EnqueueOptions = z.infer<typeof EnqueueOptionsSchema> & { tenantId?: string };
