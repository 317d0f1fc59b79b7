import { z } from 'zod';

/** What happens to fires the scheduler could not make on time (an outage, a paused leader). */
export const MisfirePolicySchema = z
  .object({
    /** A fire later than this is not run at all (skipped, reason `misfire`). */
    graceMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600 * 1000)
      .default(60_000),
    /**
     * Several fires pending within grace: `all` runs each, `one` runs the latest and skips the
     * rest as `coalesced`, `skip` runs none of a backlog and waits for the next on-time fire.
     */
    catchUp: z.enum(['skip', 'one', 'all']).default('one'),
  })
  .strict();
export type MisfirePolicy = z.infer<typeof MisfirePolicySchema>;

/**
 * `allow` runs fires side by side; `skip` skips a fire while the previous run is unfinished;
 * `queue` enqueues it at once under the concurrency key `schedule:<id>`, so it starts only
 * when the previous run has ended.
 */
export const OverlapPolicySchema = z.enum(['allow', 'skip', 'queue']);
export type OverlapPolicy = z.infer<typeof OverlapPolicySchema>;

export const DEFAULT_MISFIRE: MisfirePolicy = { graceMs: 60_000, catchUp: 'one' };
