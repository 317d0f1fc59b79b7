import { TasklogError } from '../common/errors';
import { formatCursor, parseCursor, seenUpTo } from './stream-cursor';

describe('stream cursor (the SSE event id)', () => {
  it('round-trips partition offsets in partition order', () => {
    const c = new Map([
      [2, 99],
      [0, 41],
      [1, -1],
    ]);
    expect(formatCursor(c)).toBe('0:41,1:-1,2:99');
    expect(parseCursor('0:41,1:-1,2:99')).toEqual(
      new Map([
        [0, 41],
        [1, -1],
        [2, 99],
      ]),
    );
  });

  it('treats an empty id as a cursor at the start', () => {
    expect(parseCursor('').size).toBe(0);
    expect(seenUpTo(parseCursor(''), 3)).toBe(-1);
  });

  it.each(['abc', '0:', '0:1,', '-1:3', '0:1.5', '0:99999999999999999', ':1'])('refuses %j with a 400 error', (text) => {
    expect(() => parseCursor(text)).toThrow(TasklogError);
  });

  it('refuses an id with more pairs than any topic has partitions', () => {
    const many = Array.from({ length: 1001 }, (_, i) => `${i}:0`).join(',');
    expect(() => parseCursor(many)).toThrow(/partitions/);
  });
});
