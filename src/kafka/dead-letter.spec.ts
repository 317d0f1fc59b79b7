import { deadLetter, DLQ_MAX_VALUE_BYTES } from './dead-letter';

const src = { topic: 't.events', partition: 2, offset: '41', key: 'task-1', headers: { 'event-type': 'task.started' } };

describe('deadLetter', () => {
  it('keeps a small original as it is, with provenance headers', () => {
    const m = deadLetter(
      't.dlq',
      { ...src, value: Buffer.from('junk') },
      { kind: 'poison', reason: 'not JSON', tenantId: 'acme', attempt: 2, taskId: 'task-9' },
    );
    expect(m.key).toBe('task-1');
    expect(m.value.toString()).toBe('junk');
    expect(m.headers).toMatchObject({
      'dlq-kind': 'poison',
      'dlq-task-id': 'task-9',
      'dlq-reason': 'not JSON',
      'dlq-source-topic': 't.events',
      'dlq-source-partition': '2',
      'dlq-source-offset': '41',
      'dlq-attempt': '2',
      'tenant-id': 'acme',
      'event-type': 'task.started',
    });
  });

  it('replaces an oversized original by a reference that still fits, and clips a huge reason', () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'x');
    const m = deadLetter('t.dlq', { ...src, value: big }, { kind: 'task-exhausted', reason: 'r'.repeat(100000) });
    const bytes = m.value.length + Object.values(m.headers!).reduce((n, v) => n + v.length, 0);
    expect(bytes).toBeLessThan(DLQ_MAX_VALUE_BYTES);
    expect(m.headers!['dlq-truncated']).toBe('true');
    expect(m.headers!['dlq-kind']).toBe('task-exhausted');
    expect(m.headers!['dlq-original-bytes']).toBe(String(big.length));
    expect(JSON.parse(m.value.toString())).toMatchObject({ truncated: true, originalBytes: big.length, source: { offset: '41' } });
  });

  it("does not let the original's own dlq- headers pass for ours (a letter fed back in stays one letter)", () => {
    const m = deadLetter(
      't.dlq',
      { ...src, value: null, headers: { 'dlq-kind': 'task-exhausted', 'dlq-reason': 'old' } },
      { kind: 'poison', reason: 'new' },
    );
    expect(m.headers).toMatchObject({ 'dlq-kind': 'poison', 'dlq-reason': 'new' });
    expect(m.headers!['dlq-task-id']).toBeUndefined();
  });
});
