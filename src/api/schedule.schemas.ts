import { z } from 'zod';

export { ScheduleDefinitionSchema } from '../scheduler/schedules/schedule-definition';

/** `POST /v1/schedules/:id/backfill`: the fires in [from, to] are enqueued. */
export const BackfillBody = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .strict()
  .refine((b) => Date.parse(b.from) <= Date.parse(b.to), 'from must not be after to');
