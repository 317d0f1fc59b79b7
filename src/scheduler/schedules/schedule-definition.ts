import { z } from 'zod';
import { EnqueueOptionsSchema, storableText, TaskTypeSchema } from '../../client/enqueue-options';
import { ErrorCode, TasklogError } from '../../common/errors';
import { CronSpec } from './cron-spec';
import { MisfirePolicySchema, OverlapPolicySchema } from './misfire-policy';

/** Options a fired task may carry; its idempotency and (for overlap `queue`) concurrency keys are the schedule's. */
export const ScheduleTaskOptionsSchema = EnqueueOptionsSchema.omit({
  idempotencyKey: true,
  concurrencyKey: true,
  runAt: true,
  delayMs: true,
});

/** One schedule, as REST takes it and as module options give it. */
export const ScheduleDefinitionSchema = z
  .object({
    name: storableText(1, 200),
    cron: z.string().min(1).max(200),
    timezone: z.string().min(1).max(100).default('UTC'),
    task: z
      .object({
        type: TaskTypeSchema,
        payload: z.unknown().optional(),
        options: ScheduleTaskOptionsSchema.default({}),
      })
      .strict(),
    misfire: MisfirePolicySchema.default({ graceMs: 60_000, catchUp: 'one' }),
    overlap: OverlapPolicySchema.default('allow'),
  })
  .strict();
export type ScheduleDefinition = z.infer<typeof ScheduleDefinitionSchema>;
export type ScheduleInput = z.input<typeof ScheduleDefinitionSchema>;

/** Parses a definition and its cron/time zone; throws INVALID_SCHEDULE (422) naming what is wrong. */
export function parseSchedule(input: unknown, what = 'schedule'): { def: ScheduleDefinition; spec: CronSpec } {
  const r = ScheduleDefinitionSchema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new TasklogError(ErrorCode.INVALID_SCHEDULE, `invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      issues,
    });
  }
  return { def: r.data, spec: new CronSpec(r.data.cron, r.data.timezone) };
}
