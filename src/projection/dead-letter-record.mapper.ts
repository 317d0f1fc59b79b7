import { findUnstorable, toStorableText } from '../common/storable';
import { DeadLetterKind, Header, InMessage } from '../kafka';

/** A DLQ record as a `dead_letters` row (column names), every text already storable. */
export interface DeadLetterRecord {
  dlq_partition: number;
  dlq_offset: string;
  kind: string;
  reason: string;
  task_id: string | null;
  tenant_id: string | null;
  attempt: number | null;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  failed_at: string;
  truncated: boolean;
  original_bytes: number;
  /** The value as JSON text when it parses (and Postgres takes it), else null. */
  value_json: string | null;
  value_text: string | null;
}

/** Values above this are kept as text cut to it, not parsed: our own letters never exceed it. */
export const MAX_STORED_VALUE_BYTES = 64 * 1024;
const MAX_REASON_CHARS = 2000;
const MAX_TEXT_CHARS = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT = /^\d{1,9}$/;
const BIGINT = /^\d{1,18}$/;

/**
 * Reads a DLQ record into a row whatever it holds: anyone can write to the topic, so each header
 * is checked and cleaned (NUL and lone surrogates replaced, long text cut), and what does not
 * parse is left null. It never throws: a letter that cannot be read must not stall the consumer.
 */
export function toDeadLetterRecord(m: InMessage): DeadLetterRecord {
  const h = m.headers;
  const value = m.value ?? Buffer.alloc(0);
  const truncated = h[Header.DLQ_TRUNCATED] === 'true';
  const taskId = [h[Header.DLQ_TASK_ID], m.key].find((k): k is string => typeof k === 'string' && UUID.test(k)) ?? null;
  return {
    dlq_partition: m.partition,
    dlq_offset: m.offset,
    // Letters written before the kind header existed were all poison.
    kind: text(h[Header.DLQ_KIND], 100) ?? DeadLetterKind.POISON,
    reason: text(h[Header.DLQ_REASON], MAX_REASON_CHARS) ?? '(no reason given)',
    task_id: taskId?.toLowerCase() ?? null,
    tenant_id: text(h[Header.TENANT_ID], MAX_TEXT_CHARS),
    attempt: INT.test(h[Header.DLQ_ATTEMPT] ?? '') ? Number(h[Header.DLQ_ATTEMPT]) : null,
    source_topic: text(h[Header.DLQ_SOURCE_TOPIC], MAX_TEXT_CHARS),
    source_partition: INT.test(h[Header.DLQ_SOURCE_PARTITION] ?? '') ? Number(h[Header.DLQ_SOURCE_PARTITION]) : null,
    source_offset: BIGINT.test(h[Header.DLQ_SOURCE_OFFSET] ?? '') ? h[Header.DLQ_SOURCE_OFFSET] : null,
    failed_at: failedAt(h[Header.DLQ_FAILED_AT], m.timestamp),
    truncated,
    original_bytes: truncated && INT.test(h[Header.DLQ_ORIGINAL_BYTES] ?? '') ? Number(h[Header.DLQ_ORIGINAL_BYTES]) : value.length,
    ...storedValue(value),
  };
}

function text(v: string | undefined, max: number): string | null {
  return v ? toStorableText(v, max) : null;
}

/**
 * The letter's own time, else the record's timestamp; always whole milliseconds within years
 * 1-9999, so keyset pagination compares exactly what it stored and Postgres takes every value.
 */
function failedAt(header: string | undefined, timestamp: string): string {
  for (const t of [Date.parse(header ?? ''), Number(timestamp)]) {
    if (!Number.isFinite(t)) continue;
    const year = new Date(t).getUTCFullYear();
    if (year >= 1 && year <= 9999) return new Date(t).toISOString();
  }
  return new Date().toISOString();
}

function storedValue(value: Buffer): Pick<DeadLetterRecord, 'value_json' | 'value_text'> {
  if (value.length > 0 && value.length <= MAX_STORED_VALUE_BYTES) {
    const utf8 = value.toString('utf8');
    try {
      const parsed: unknown = JSON.parse(utf8);
      if (!findUnstorable(parsed, 'value')) return { value_json: JSON.stringify(parsed), value_text: null };
    } catch {
      // Not JSON: kept as text below.
    }
  }
  return { value_json: null, value_text: toStorableText(value.subarray(0, MAX_STORED_VALUE_BYTES).toString('utf8')) };
}
