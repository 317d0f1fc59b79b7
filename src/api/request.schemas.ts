import { z } from 'zod';
import { CancelOptionsSchema } from '../client/cancel-options';
import { EnqueueOptionsSchema } from '../client/enqueue-options';
import { ErrorCode, TasklogError } from '../common/errors';
import { textProblem } from '../common/storable';
import { TaskStatus } from '../domain';

export const EnqueueBody = EnqueueOptionsSchema.extend({
  type: z.string().min(1).max(200),
  payload: z.unknown().optional(),
}).strict();

/** Text Postgres can take as a parameter: it refuses NUL outright and unpaired surrogates in its UTF-8. */
const storableText = z.string().superRefine((s, ctx) => {
  const problem = textProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A list parameter of `item`s: comma-separated, repeated (`status=a&status=b`), or both. */
function manyOf<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .union([storableText, z.array(storableText)])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item))
    .optional();
}

const instant = (description: string) =>
  storableText
    .pipe(z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with offset' }))
    .optional()
    .meta({ description });

const LISTS = 'Several values: repeat the parameter or separate them with commas.';

/**
 * `GET /v1/tasks` and `/v1/tasks/count` besides their `payload.<path>=` and `label.<key>=`
 * filters (see api/task-search.query.ts). Unknown parameters are refused, so a typo is not
 * silently a filter that matches everything. The descriptions are the OpenAPI document's
 * (api/search-query.openapi.ts).
 */
export const ListQuery = z
  .object({
    status: manyOf(z.enum(Object.values(TaskStatus) as [string, ...string[]])).meta({
      description: `Tasks in any of these statuses. ${LISTS}`,
    }),
    type: manyOf(z.string()).meta({ description: `Tasks of any of these types. ${LISTS}` }),
    label: manyOf(z.string().regex(/^[^:]+:/, 'expected key:value')).meta({
      description: `Labels as key:value; a task must carry every one (like label.<key>=<value>). ${LISTS}`,
    }),
    createdFrom: instant('Created at or after this time (ISO 8601 with offset).'),
    createdTo: instant('Created before this time (ISO 8601 with offset).'),
    finishedFrom: instant('Finished at or after this time (ISO 8601 with offset).'),
    finishedTo: instant('Finished before this time (ISO 8601 with offset).'),
    sort: z.enum(['createdAt', 'finishedAt']).default('createdAt').meta({ description: 'The time to order by.' }),
    order: z.enum(['asc', 'desc']).default('desc').meta({ description: 'Oldest first (asc) or newest first (desc).' }),
    limit: z.coerce.number().int().min(1).max(500).default(50).meta({ description: 'At most this many tasks on a page.' }),
    cursor: storableText
      .pipe(z.string().max(500))
      .optional()
      .meta({ description: "The previous page's nextCursor, for the page after it (same filters and sort)." }),
  })
  .strict();

/**
 * The value of a `payload.<path>=` or `label.<key>=` filter of `GET /v1/tasks` and
 * `/v1/tasks/count` (parsed in api/task-search.query.ts), with the parameter family it documents.
 */
export const FIELD_FILTERS = {
  'payload.<path>': storableText.meta({
    description:
      'Equality on the payload at a dot path, e.g. payload.customer.id=42. A value that reads as a number, ' +
      'boolean or null matches that JSON value or the same text. Any number of such parameters (with label.<key>, at most 20), all must match.',
  }),
  'label.<key>': storableText.meta({
    description: 'Equality on a label, e.g. label.env=prod (the key is taken whole, dots and all). Several must all match.',
  }),
};

/** A path id that can be looked up at all; one that is not a task id then answers 404. */
export const PathText = storableText;

export const MAX_BATCH_ITEMS = 1000;

/** `POST /v1/tasks/batch`: items are checked one by one (EnqueueBody), so one bad item has its own error. */
export const BatchBody = z
  .object({
    items: z
      .array(z.unknown())
      .min(1)
      .max(MAX_BATCH_ITEMS)
      .describe('enqueue bodies as POST /v1/tasks takes them, each checked on its own'),
    atomic: z.boolean().optional(),
  })
  .strict();

/** `POST /v1/tasks/:id/retry`: optionally how many attempts the re-opened task gets. */
export const RetryBody = z.object({ maxAttempts: z.number().int().min(1).max(100).optional() }).strict();
export const TaskIdParam = z.uuid();

/** `POST /v1/tasks/:id/cancel`: optionally why (kept in history, at most 500 characters). */
export const CancelBody = CancelOptionsSchema.pick({ reason: true }).strict();

/** Parses input with a schema or throws a 400 listing every problem. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw invalidInput(
    what,
    r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

/** The 400 for input with these problems, each naming where it is. */
export function invalidInput(what: string, issues: { path: string; message: string }[]): TasklogError {
  const detail = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new TasklogError(ErrorCode.INVALID_INPUT, `invalid ${what}: ${detail}`, { issues });
}
