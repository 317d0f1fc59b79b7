import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { TaskStatus } from '../domain';

const time = z.string().describe('ISO 8601');
const count = z.number().nullable();

/** A task as the API returns it (taskView); task.view.spec.ts keeps the two in step. */
export const TaskViewSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.string(),
    type: z.string(),
    status: z.enum(Object.values(TaskStatus) as [string, ...string[]]),
    priority: z.number().int(),
    payload: z.unknown(),
    result: z.unknown(),
    error: z.object({ name: z.string(), message: z.string() }).nullable(),
    attempt: z.number().int(),
    maxAttempts: z.number().int(),
    progress: z.object({
      processed: count,
      total: count,
      succeeded: count,
      failed: count,
      message: z.string().nullable(),
      percent: z.number().nullable(),
    }),
    runAt: time.nullable(),
    expiresAt: time.nullable(),
    cancelRequestedAt: time.nullable(),
    redelivered: z.boolean(),
    createdAt: time,
    queuedAt: time.nullable(),
    startedAt: time.nullable(),
    finishedAt: time.nullable(),
    labels: z.record(z.string(), z.string()),
    idempotencyKey: z.string().nullable(),
    concurrencyKey: z.string().nullable(),
    workerId: z.string().nullable(),
    projectionError: z.unknown().describe('set when one of its events could not be projected'),
  })
  .strict();

export const TaskListSchema = z.object({ items: z.array(TaskViewSchema), nextCursor: z.string().nullable() });

export class TaskDto extends createZodDto(TaskViewSchema) {}
export class TaskListDto extends createZodDto(TaskListSchema) {}
