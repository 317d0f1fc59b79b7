import { z } from 'zod';
import { EnqueueOptionsSchema, TaskTypeSchema } from '../client/enqueue-options';

/**
 * The shape of a request on `<prefix>.requests`, for the AsyncAPI document and outside producers.
 * Requests are validated by TaskClient (enqueue-validation.ts); this only describes them.
 */
export const TaskRequestSchema = EnqueueOptionsSchema.extend({
  type: TaskTypeSchema.describe('the task type; a handler for it must exist'),
  payload: z.unknown().optional().describe('any JSON; the handler gets it as is'),
}).strict();
