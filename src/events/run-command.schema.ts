import { formatIssues } from './format-issues';
import { z } from 'zod';
import { BackoffSchema, EnqueuedData } from './event.schemas';

/** What a worker receives on a command lane: everything needed to run one attempt. */
export const RunCommandSchema = z.object({
  taskId: z.string().uuid(),
  tenantId: z.string().min(1),
  taskType: z.string().min(1),
  payload: z.unknown(),
  attempt: z.number().int().min(1),
  timeoutMs: z.number().int().positive().optional(),
  /** Attempts in all; the worker retries a retryable failure while attempt < maxAttempts. */
  maxAttempts: z.number().int().min(1).max(1000).optional(),
  backoff: BackoffSchema.optional(),
  correlationId: z.string().optional(),
  /** Not started by then, the task never starts: the worker appends `task.expired` instead. */
  expiresAt: z.string().datetime().optional(),
  enqueuedAt: z.string().datetime(),
  /**
   * Set when this command is the whole enqueue (one record, ADR 0009): the `task.enqueued` and
   * `task.queued` it stands for. The projector shows the task from it at once; the worker that
   * takes it appends both events to the events topic before `task.started`. The enqueued
   * event's payload is the command's `payload`, and its time is `enqueuedAt`.
   */
  origin: z
    .object({
      enqueuedId: z.string().uuid(),
      queuedId: z.string().uuid(),
      data: EnqueuedData.omit({ payload: true }),
    })
    .optional(),
});
export type RunCommand = z.infer<typeof RunCommandSchema>;

export function decodeRunCommand(raw: Buffer | null): RunCommand {
  if (!raw) throw new Error('empty run command');
  const parsed = RunCommandSchema.safeParse(JSON.parse(raw.toString()));
  if (!parsed.success) throw new Error(formatIssues(parsed.error.issues));
  return parsed.data;
}
