import { formatIssues } from './format-issues';
import { z } from 'zod';

/**
 * What the API broadcasts on the control topic when a cancel is accepted. Every worker reads
 * it: the one running the attempt aborts it, the others remember the task so a command already
 * in their buffer does not start. `attempt` is the latest attempt the cancel covers.
 */
export const CancelSignalSchema = z.object({
  taskId: z.string().uuid(),
  tenantId: z.string().min(1),
  attempt: z.number().int().min(0),
  reason: z.string(),
});
export type CancelSignal = z.infer<typeof CancelSignalSchema>;

export function decodeCancelSignal(raw: Buffer | null): CancelSignal {
  if (!raw) throw new Error('empty cancel signal');
  const parsed = CancelSignalSchema.safeParse(JSON.parse(raw.toString()));
  if (!parsed.success) throw new Error(formatIssues(parsed.error.issues));
  return parsed.data;
}
