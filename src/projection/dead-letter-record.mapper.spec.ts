import { deadLetter, InMessage } from '../kafka';
import { MAX_STORED_VALUE_BYTES, toDeadLetterRecord } from './dead-letter-record.mapper';

const TASK = '0192d7c1-0000-7000-8000-000000000001';

/** A letter as our builder writes it, read back from the DLQ at partition 2, offset 9. */
function fromDlq(value: Buffer | null, info: Parameters<typeof deadLetter>[2], key: string | null = 'k'): InMessage {
  const m = deadLetter('t.dlq', { topic: 't.events', partition: 1, offset: '41', key, value }, info);
  return { topic: 't.dlq', partition: 2, offset: '9', key: m.key, value: m.value, headers: m.headers ?? {}, timestamp: '1764187200000' };
}

describe('toDeadLetterRecord', () => {
  it('reads every provenance header of a letter our builder wrote, and its JSON value', () => {
    const m = fromDlq(Buffer.from('{"taskId":"x","n":1}'), {
      kind: 'task-exhausted',
      reason: 'TypeError: boom after 2 attempts',
      taskId: TASK,
      tenantId: 'acme',
      attempt: 2,
      at: '2026-11-26T20:00:00.123Z',
    });
    expect(toDeadLetterRecord(m)).toEqual({
      dlq_partition: 2,
      dlq_offset: '9',
      kind: 'task-exhausted',
      reason: 'TypeError: boom after 2 attempts',
      task_id: TASK,
      tenant_id: 'acme',
      attempt: 2,
      source_topic: 't.events',
      source_partition: 1,
      source_offset: '41',
      failed_at: '2026-11-26T20:00:00.123Z',
      truncated: false,
      original_bytes: 20,
      value_json: '{"taskId":"x","n":1}',
      value_text: null,
    });
  });

  it('takes the task id from the key when no header names it, and only when it is a UUID', () => {
    expect(toDeadLetterRecord(fromDlq(null, { kind: 'poison', reason: 'r' }, TASK)).task_id).toBe(TASK);
    expect(toDeadLetterRecord(fromDlq(null, { kind: 'poison', reason: 'r' }, 'junk-1')).task_id).toBeNull();
  });

  it('keeps a value that is not JSON as text, and an oversized original as its reference with the original size', () => {
    expect(toDeadLetterRecord(fromDlq(Buffer.from('{{{ not json'), { kind: 'poison', reason: 'r' }))).toMatchObject({
      value_json: null,
      value_text: '{{{ not json',
    });
    const big = toDeadLetterRecord(fromDlq(Buffer.alloc(900 * 1024, '{'), { kind: 'poison', reason: 'r' }));
    expect(big).toMatchObject({ truncated: true, original_bytes: 900 * 1024 });
    expect(JSON.parse(big.value_json!)).toMatchObject({ truncated: true, originalBytes: 900 * 1024 });
  });

  it('cleans what Postgres refuses: NUL and lone surrogates in headers, JSON with a NUL string kept as text', () => {
    const m = fromDlq(Buffer.from('{"a":"x\\u0000y"}'), { kind: 'poison', reason: 'bad \u0000 reason \ud800', tenantId: 'ac\u0000me' });
    const r = toDeadLetterRecord(m);
    expect(r.reason).toBe('bad \uFFFD reason \uFFFD');
    expect(r.tenant_id).toBe('ac\uFFFDme');
    expect(r.value_json).toBeNull();
    expect(r.value_text).toBe('{"a":"x\\u0000y"}');
  });

  it('reads a foreign record with no headers at all as untenanted poison, timed by the record', () => {
    const r = toDeadLetterRecord({
      topic: 't.dlq',
      partition: 0,
      offset: '3',
      key: null,
      value: null,
      headers: {},
      timestamp: '1764187200000',
    });
    expect(r).toMatchObject({
      kind: 'poison',
      reason: '(no reason given)',
      task_id: null,
      tenant_id: null,
      attempt: null,
      source_topic: null,
      source_partition: null,
      source_offset: null,
      failed_at: new Date(1764187200000).toISOString(),
      original_bytes: 0,
      value_json: null,
      value_text: '',
    });
  });

  it('ignores headers that lie: a bad time, attempt, partition or offset', () => {
    const r = toDeadLetterRecord({
      topic: 't.dlq',
      partition: 0,
      offset: '3',
      key: null,
      value: Buffer.from('x'.repeat(MAX_STORED_VALUE_BYTES + 10)),
      headers: {
        'dlq-failed-at': '+275760-09-13T00:00:00.000Z',
        'dlq-attempt': '-1',
        'dlq-source-partition': '1e3',
        'dlq-source-offset': '99999999999999999999999',
        'dlq-original-bytes': '12',
      },
      timestamp: '1764187200000',
    });
    expect(r).toMatchObject({
      attempt: null,
      source_partition: null,
      source_offset: null,
      failed_at: new Date(1764187200000).toISOString(),
    });
    expect(r.original_bytes).toBe(MAX_STORED_VALUE_BYTES + 10);
    expect(r.value_text).toHaveLength(MAX_STORED_VALUE_BYTES);
  });
});
