import { z } from 'zod';
import { storableText } from './enqueue-options';

export const MAX_CANCEL_REASON_CHARS = 500;

/** What a cancel may say: why (kept in the task's history) and who asked. */
export const CancelOptionsSchema = z
  .object({
    reason: storableText(0, MAX_CANCEL_REASON_CHARS).optional(),
    requestedBy: storableText(1, 200).optional(),
  })
  .strict();
export type CancelOptions = z.infer<typeof CancelOptionsSchema>;
