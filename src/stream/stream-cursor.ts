import { ErrorCode, TasklogError } from '../common/errors';

/**
 * Where a stream client stands: for each partition of the events topic, the offset of the last
 * event it has been sent. A task's events share a partition and a partition commits in offset
 * order, so "after these offsets" misses nothing and repeats nothing. Sent as the SSE event id,
 * `partition:offset` pairs joined by commas (`0:41,1:17,2:99`); -1 means "nothing yet".
 */
export type StreamCursor = Map<number, number>;

const MAX_PARTITIONS = 1000;
const PAIR = /^(\d{1,9}):(-1|\d{1,16})$/;

export function formatCursor(cursor: StreamCursor): string {
  return [...cursor.entries()]
    .sort(([a], [b]) => a - b)
    .map(([p, o]) => `${p}:${o}`)
    .join(',');
}

/** Parses a Last-Event-ID; throws a 400 for anything that is not one of ours. */
export function parseCursor(text: string): StreamCursor {
  const cursor: StreamCursor = new Map();
  const pairs = text.trim() === '' ? [] : text.split(',');
  if (pairs.length > MAX_PARTITIONS) throw badCursor(`more than ${MAX_PARTITIONS} partitions`);
  for (const pair of pairs) {
    const m = PAIR.exec(pair.trim());
    if (!m) throw badCursor(`expected partition:offset pairs, got ${JSON.stringify(pair.slice(0, 40))}`);
    const offset = Number(m[2]);
    if (!Number.isSafeInteger(offset)) throw badCursor('offset out of range');
    cursor.set(Number(m[1]), offset);
  }
  return cursor;
}

/** The last offset sent of a partition (-1: none). */
export function seenUpTo(cursor: StreamCursor, partition: number): number {
  return cursor.get(partition) ?? -1;
}

function badCursor(why: string): TasklogError {
  return new TasklogError(ErrorCode.INVALID_INPUT, `invalid Last-Event-ID: ${why}`);
}
