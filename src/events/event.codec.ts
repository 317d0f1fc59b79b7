import { formatIssues } from './format-issues';
import { EVENT_VERSIONS, EventSchema, TaskEvent } from './event.schemas';
import { upcast } from './upcasters';

/**
 * The `schema-version` of records whose type never changed (run commands, cancel signals, most
 * events). An event's own header carries its `v` (EVENT_VERSIONS), e.g. 2 for task.failed.
 */
export const SCHEMA_VERSION = 1;

export class EventDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventDecodeError';
  }
}

/**
 * Parses one event from the wire, upcasts an older version to the current one (upcasters.ts) and
 * validates it: every reader (projection, export, downstream consumers) sees the current version.
 */
export function decodeEvent(raw: Buffer | string | null): TaskEvent {
  if (raw === null) throw new EventDecodeError('empty message value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString());
  } catch (e) {
    throw new EventDecodeError(`not JSON: ${(e as Error).message}`);
  }
  return parseEvent(parsed);
}

/**
 * decodeEvent for a value already parsed from JSON (what a Nest `@EventPattern` handler gets):
 *   @EventPattern('tasklog.events') on(@Payload() value: unknown) { const event = parseEvent(value); }
 */
export function parseEvent(value: unknown): TaskEvent {
  const result = EventSchema.safeParse(upcast(value));
  if (!result.success) {
    throw new EventDecodeError(newerThanKnown(value) ?? formatIssues(result.error.issues));
  }
  return result.data as TaskEvent;
}

export function encodeEvent(event: TaskEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

/** A clear reason for a record written by a newer Tasklog than this reader. */
function newerThanKnown(raw: unknown): string | null {
  const { type, v } = (raw ?? {}) as { type?: unknown; v?: unknown };
  const known = EVENT_VERSIONS[type as keyof typeof EVENT_VERSIONS];
  if (known === undefined || typeof v !== 'number' || v <= known) return null;
  return `${String(type)} v${v} is newer than this reader knows (v${known}); upgrade the reader first`;
}
