import { DeadLetterListQuery } from './dead-letter.schemas';

describe('DeadLetterListQuery', () => {
  it('defaults the limit and reads a cursor as a DLQ position', () => {
    expect(DeadLetterListQuery.parse({ cursor: '2-41', kind: 'poison' })).toEqual({
      limit: 50,
      kind: 'poison',
      cursor: { partition: 2, offset: '41' },
    });
  });

  it.each([
    ['a limit of 0', { limit: '0' }],
    ['a limit over 500', { limit: '501' }],
    ['an unknown kind', { kind: 'exploded' }],
    ['a task id that is not a UUID', { taskId: 'task-1' }],
    ['a cursor that is not an id', { cursor: '01a2b3' }],
    ['a cursor with a NUL', { cursor: '1-2\u0000' }],
  ])('refuses %s', (_what, query) => {
    expect(DeadLetterListQuery.safeParse(query).success).toBe(false);
  });
});
