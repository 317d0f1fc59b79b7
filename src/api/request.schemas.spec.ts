import { ListQuery, parseInput, PathText } from './request.schemas';

describe('list query and path parsing', () => {
  it.each([
    ['type', { type: 'a\u0000b' }, /type: contains a NUL/],
    ['type', { type: 'ok,\ud800' }, /type: contains an unpaired UTF-16 surrogate/],
    ['status', { status: 'queued,\u0000' }, /status: contains a NUL/],
    ['cursor', { cursor: '\u0000' }, /cursor: contains a NUL/],
  ])('refuses a %s Postgres cannot take, naming it', (_, query, message) => {
    expect(() => parseInput(ListQuery, query, 'query')).toThrow(message);
  });

  it('still parses a good query', () => {
    expect(parseInput(ListQuery, { type: 'a, b', status: ['queued', 'failed,cancelled'] }, 'query')).toEqual({
      type: ['a', 'b'],
      status: ['queued', 'failed', 'cancelled'],
      sort: 'createdAt',
      order: 'desc',
      limit: 50,
    });
  });

  it('refuses a path id holding a NUL, naming the id', () => {
    expect(() => parseInput(PathText, '\u0000', 'id')).toThrow(/invalid id: contains a NUL/);
  });
});
