import { z } from 'zod';
import { DeadLetterKind } from '../kafka/kafka.types';
import { parseDeadLetterId } from '../projection/dead-letter.queries';
import { PathText } from './request.schemas';

/** `GET /v1/dead-letters`: filters and the page, in the style of `GET /v1/tasks`. */
export const DeadLetterListQuery = z.object({
  taskId: PathText.pipe(z.uuid()).optional(),
  kind: z.enum(Object.values(DeadLetterKind) as [DeadLetterKind, ...DeadLetterKind[]]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** The `id` of the last letter of the previous page (`<partition>-<offset>`). */
  cursor: PathText.transform((s, ctx) => {
    const id = parseDeadLetterId(s);
    if (!id) ctx.addIssue({ code: 'custom', message: 'must be the id of a dead letter (<partition>-<offset>)' });
    return id ?? z.NEVER;
  }).optional(),
});
