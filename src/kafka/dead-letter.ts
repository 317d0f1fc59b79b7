import { toStorableText } from '../common/storable';
import { createHash } from 'node:crypto';
import { DeadLetterKind, Header, OutMessage } from './kafka.types';

/** Where a dead letter came from: enough to find the original record on its topic. */
export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: string;
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

export interface DeadLetterInfo {
  kind: DeadLetterKind;
  reason: string;
  /**
   * The `dlq-task-id` header. The key stays the original's (the taskId for events, the taskId or
   * concurrencyKey for run commands), so a letter can be matched to the record it came from.
   */
  taskId?: string;
  tenantId?: string;
  attempt?: number;
  at?: string;
}

/** DLQ values above this are replaced by a reference (the original stays on its own topic). */
export const DLQ_MAX_VALUE_BYTES = 64 * 1024;
const MAX_REASON_CHARS = 2000;
const MAX_HEADER_CHARS = 1000;

/**
 * The one builder of dead letters, for every role. The record always fits the DLQ topic: an
 * oversized original is replaced by a JSON reference (source topic, partition, offset, size,
 * SHA-256 and the first bytes), so publishing a dead letter can never fail for its size.
 */
export function deadLetter(dlqTopic: string, src: DeadLetterSource, info: DeadLetterInfo): OutMessage {
  const original = src.value ?? Buffer.alloc(0);
  const key = clip(Buffer.isBuffer(src.key) ? src.key.toString() : (src.key ?? ''), MAX_HEADER_CHARS);
  const headers: Record<string, string> = {};
  // The original's own headers (event type, tenant, traceparent) travel along, clipped.
  for (const [k, v] of Object.entries(src.headers ?? {})) if (!k.startsWith('dlq-')) headers[k] = clip(v, MAX_HEADER_CHARS);
  Object.assign(headers, {
    [Header.DLQ_KIND]: info.kind,
    [Header.DLQ_REASON]: clip(info.reason, MAX_REASON_CHARS),
    [Header.DLQ_SOURCE_TOPIC]: src.topic,
    [Header.DLQ_SOURCE_PARTITION]: String(src.partition),
    [Header.DLQ_SOURCE_OFFSET]: src.offset,
    [Header.DLQ_FAILED_AT]: info.at ?? new Date().toISOString(),
  });
  if (info.tenantId) headers[Header.TENANT_ID] = clip(info.tenantId, MAX_HEADER_CHARS);
  if (info.taskId) headers[Header.DLQ_TASK_ID] = clip(info.taskId, MAX_HEADER_CHARS);
  if (info.attempt !== undefined) headers[Header.DLQ_ATTEMPT] = String(info.attempt);
  if (original.length <= DLQ_MAX_VALUE_BYTES) return { topic: dlqTopic, key, value: original, headers };

  const sha256 = createHash('sha256').update(original).digest('hex');
  headers[Header.DLQ_TRUNCATED] = 'true';
  headers[Header.DLQ_ORIGINAL_BYTES] = String(original.length);
  headers[Header.DLQ_ORIGINAL_SHA256] = sha256;
  const reference = {
    truncated: true,
    source: { topic: src.topic, partition: src.partition, offset: src.offset },
    originalBytes: original.length,
    sha256,
    head: original.subarray(0, 1024).toString('base64'),
  };
  return { topic: dlqTopic, key, value: Buffer.from(JSON.stringify(reference)), headers };
}

/** Cut, and cleaned of what Postgres refuses: dead letters end up in the dead_letters table too. */
function clip(s: string, max: number): string {
  return toStorableText(s, max);
}
