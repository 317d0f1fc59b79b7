import { formatIssues } from './format-issues';
import { EventSchema, TaskEvent } from './event.schemas';

export const SCHEMA_VERSION = 1;

export class EventDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventDecodeError';
  }
}

/** Parses and validates one event from the wire; old versions would be upcast here. */
export function decodeEvent(raw: Buffer | string | null): TaskEvent {
  if (raw === null) throw new EventDecodeError('empty message value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString());
  } catch (e) {
    throw new EventDecodeError(`not JSON: ${(e as Error).message}`);
  }
  const result = EventSchema.safeParse(parsed);
  if (!result.success) {
    throw new EventDecodeError(formatIssues(result.error.issues));
  }
  return result.data as TaskEvent;
}

export function encodeEvent(event: TaskEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}
