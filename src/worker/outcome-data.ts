import { findUnstorable, toStorableText } from '../common/storable';
import {
  EventDataMap,
  MAX_ERROR_CODE_CHARS,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_ERROR_NAME_CHARS,
  MAX_ERROR_STACK_CHARS,
  MAX_PROGRESS_MESSAGE_CHARS,
} from '../events';
import { ProgressUpdate } from './task-context';

// What a handler hands us becomes event data here, cut and cleaned so the event passes the
// schema and Postgres takes it: a bad value must fail its task, not poison the projection.

const PROGRESS_NUMBERS = ['processed', 'total', 'succeeded', 'failed'] as const;

/** Finite numbers and storable text only; null when nothing is left to report. */
export function progressData(u: ProgressUpdate): ProgressUpdate | null {
  const out: ProgressUpdate = {};
  for (const k of PROGRESS_NUMBERS) {
    const v = u[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  if (typeof u.message === 'string') out.message = toStorableText(u.message, MAX_PROGRESS_MESSAGE_CHARS);
  return Object.keys(out).length > 0 ? out : null;
}

export function errorData(error: Error, retryable: boolean): EventDataMap['task.failed']['error'] {
  const name = toStorableText(String(error.name || 'Error'), MAX_ERROR_NAME_CHARS);
  const own = (error as { code?: unknown }).code;
  // A string `code` (Node's ECONNRESET, ours, a library's) is stable; else the class name.
  const code = toStorableText(typeof own === 'string' && own ? own : error.constructor?.name || name, MAX_ERROR_CODE_CHARS) || 'Error';
  return {
    name,
    message: toStorableText(String(error.message ?? ''), MAX_ERROR_MESSAGE_CHARS),
    retryable,
    code,
    ...(typeof error.stack === 'string' && error.stack ? { stack: toStorableText(error.stack, MAX_ERROR_STACK_CHARS) } : {}),
  };
}

/** A handler result as JSON, or why it cannot be stored (not serialisable, unstorable text, too deep, too big). */
export function resultData(result: unknown, maxBytes: number): { json: unknown } | { problem: string } {
  if (result === undefined) return { json: undefined };
  let text: string | undefined;
  try {
    text = JSON.stringify(result);
  } catch (e) {
    return { problem: `the result is not JSON-serialisable: ${(e as Error).message}` };
  }
  if (text === undefined) return { json: undefined };
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) return { problem: `the result is ${bytes} bytes as JSON; the limit is ${maxBytes}` };
  const json: unknown = JSON.parse(text);
  const bad = findUnstorable(json, 'result');
  if (bad) return { problem: `${bad.path} ${bad.problem}` };
  return { json };
}
