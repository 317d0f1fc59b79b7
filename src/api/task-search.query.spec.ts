import { TasklogError } from '../common/errors';
import { decodeCursor, encodeCursor } from '../projection/task-search';
import { parseSearchQuery } from './task-search.query';

const issuesOf = (query: Record<string, unknown>) => {
  try {
    parseSearchQuery(query, 'acme');
  } catch (e) {
    return ((e as TasklogError).details?.issues as { path: string }[]).map((i) => i.path);
  }
  throw new Error('parsed');
};

describe('the task search query', () => {
  it('reads payload paths with typed and text candidates, and labels in both spellings', () => {
    const { filter, page } = parseSearchQuery(
      {
        'payload.accountId': '42',
        'payload.a.b': 'x',
        'payload.on': 'true',
        label: ['env:prod', 'team:a:b'],
        'label.app.io/name': 'web',
        sort: 'finishedAt',
        order: 'asc',
      },
      'acme',
    );
    expect(filter.payload).toEqual([
      { path: ['accountId'], candidates: [42, '42'] },
      { path: ['a', 'b'], candidates: ['x'] },
      { path: ['on'], candidates: [true, 'true'] },
    ]);
    expect(filter.labels).toEqual({ env: 'prod', team: 'a:b', 'app.io/name': 'web' });
    expect(page).toEqual({ sort: 'finishedAt', order: 'asc', limit: 50, cursor: undefined });
  });

  it('takes __proto__ as a plain label or payload key', () => {
    const { filter } = parseSearchQuery({ 'label.__proto__': 'x', 'payload.__proto__': '1' }, 't');
    expect(JSON.stringify(filter.labels)).toBe('{"__proto__":"x"}');
    expect(filter.payload).toEqual([{ path: ['__proto__'], candidates: [1, '1'] }]);
  });

  it('keeps a value that only looks numeric as text', () => {
    expect(parseSearchQuery({ 'payload.zip': '007' }, 't').filter.payload).toEqual([{ path: ['zip'], candidates: ['007'] }]);
  });

  it('answers 400 naming each bad parameter', () => {
    expect(
      issuesOf({
        status: 'done',
        createdFrom: 'yesterday',
        'payload.a..b': '1',
        'payload.x': ['1', '2'],
        label: 'novalue',
        sort: 'priority',
      }),
    ).toEqual(expect.arrayContaining(['status.0', 'createdFrom', 'payload.a..b', 'payload.x', 'label.0', 'sort']));
  });

  it('refuses an unknown parameter instead of ignoring it', () => {
    expect(() => parseSearchQuery({ stauts: 'failed' }, 't')).toThrow(/stauts/);
  });
});

describe('the search cursor', () => {
  const page = { sort: 'createdAt' as const, order: 'desc' as const };
  const at = '2026-11-27T01:02:03.456789Z';
  const id = '019a0000-0000-7000-8000-000000000001';

  it('round-trips a position', () => {
    expect(decodeCursor(encodeCursor({ s: 'createdAt', o: 'desc', at, id }), page)).toEqual({ at, id });
  });

  it('refuses a cursor made for another sort, and one that is not a cursor', () => {
    expect(() => decodeCursor(encodeCursor({ s: 'finishedAt', o: 'desc', at, id }), page)).toThrow(/sort=finishedAt/);
    expect(() => decodeCursor('garbage', page)).toThrow(/not a cursor/);
  });
});
