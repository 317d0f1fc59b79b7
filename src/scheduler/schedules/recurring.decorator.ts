import { SetMetadata } from '@nestjs/common';
import { MisfirePolicy, OverlapPolicy } from './misfire-policy';

export const RECURRING = 'tasklog:recurring';

export interface RecurringOptions {
  /** IANA time zone the cron expression reads in (default UTC). */
  timezone?: string;
  /** Unique per tenant; defaults to the handler's task type. */
  name?: string;
  payload?: unknown;
  /** The fired task's enqueue options (priority, maxAttempts, ttlMs, labels, ...). */
  options?: Record<string, unknown>;
  misfire?: Partial<MisfirePolicy>;
  overlap?: OverlapPolicy;
}

export interface RecurringMetadata {
  cron: string;
  options: RecurringOptions;
}

/**
 * Runs the @TaskHandler it sits on by a cron expression. It only records metadata; the
 * RecurringExplorer collects it and the scheduler upserts the schedule (tenant `default`) at startup.
 *
 *   @Recurring('0 2 * * *', { timezone: 'Europe/Berlin', misfire: { graceMs: 3_600_000 } })
 *   @TaskHandler('sync.nightly')
 *   async sync(payload: unknown, ctx: TaskContext) { ... }
 */
export const Recurring = (cron: string, options: RecurringOptions = {}): MethodDecorator =>
  SetMetadata<string, RecurringMetadata[]>(RECURRING, [{ cron, options }]);
