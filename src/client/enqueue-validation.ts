import { z } from 'zod';
import { ErrorCode, TasklogError } from '../common/errors';
import { findUnstorable } from '../common/storable';
import { EnqueueOptions, EnqueueOptionsSchema, TaskTypeSchema } from './enqueue-options';

export interface ValidEnqueue {
  taskType: string;
  payload: unknown;
  /** The payload as JSON, measured against the payload limit. */
  payloadJson: string;
  options: EnqueueOptions;
}

/**
 * The one validation of an enqueue, whoever sends it (REST, TaskClient from code, the Kafka
 * intake): anything that would not fit an event, or that Postgres would refuse, is a 400 (or
 * 413 for size) here, before a single record is published.
 */
export function validateEnqueue(taskType: unknown, payload: unknown, options: EnqueueOptions, maxPayloadBytes: number): ValidEnqueue {
  const { tenantId, ...rest } = options;
  const type = parse(TaskTypeSchema, taskType, 'type');
  const opts = parse(EnqueueOptionsSchema, stripUndefined(rest), '');
  if (tenantId !== undefined) parse(TaskTypeSchema, tenantId, 'tenantId');
  if (opts.runAt !== undefined && opts.delayMs !== undefined) {
    throw invalid('give runAt or delayMs, not both', [{ path: 'delayMs', message: 'exclusive with runAt' }]);
  }
  if (opts.expiresAt !== undefined && opts.ttlMs !== undefined) {
    throw invalid('give expiresAt or ttlMs, not both', [{ path: 'ttlMs', message: 'exclusive with expiresAt' }]);
  }
  const value = payload === undefined ? null : payload;
  const bad = findUnstorable(value, 'payload');
  if (bad) throw invalid(`${bad.path} ${bad.problem}`, [{ path: bad.path, message: bad.problem }]);
  let payloadJson: string | undefined;
  try {
    payloadJson = JSON.stringify(value);
  } catch (e) {
    throw invalid(`payload is not JSON-serialisable: ${(e as Error).message}`, [{ path: 'payload', message: 'not JSON-serialisable' }]);
  }
  if (payloadJson === undefined) throw invalid('payload is not JSON-serialisable', [{ path: 'payload', message: 'not JSON' }]);
  const size = Buffer.byteLength(payloadJson);
  if (size > maxPayloadBytes) {
    throw new TasklogError(ErrorCode.PAYLOAD_TOO_LARGE, `payload is ${size} bytes; the limit is ${maxPayloadBytes}`, {
      size,
      limit: maxPayloadBytes,
    });
  }
  return { taskType: type, payload: value, payloadJson, options: { ...opts, tenantId } };
}

function parse<T extends z.ZodType>(schema: T, value: unknown, root: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: [root, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
  throw invalid(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues);
}

function invalid(detail: string, issues: { path: string; message: string }[]): TasklogError {
  return new TasklogError(ErrorCode.INVALID_INPUT, `invalid task: ${detail}`, { issues });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
