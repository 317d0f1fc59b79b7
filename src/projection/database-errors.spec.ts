import { isDatabaseUnavailable } from './database-errors';

describe('isDatabaseUnavailable', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [new Error('Connection terminated unexpectedly')],
    [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    [Object.assign(new Error('connection failure'), { code: '08006' })],
    [new Error('Knex: Timeout acquiring a connection. The pool is probably full.')],
  ])('is true for %s', (e) => expect(isDatabaseUnavailable(e)).toBe(true));

  it.each([
    [Object.assign(new Error('relation "tasks" does not exist'), { code: '42P01' })],
    [Object.assign(new Error('duplicate key'), { code: '23505' })],
    [new TypeError('x is undefined')],
    [null],
  ])('is false for %s', (e) => expect(isDatabaseUnavailable(e)).toBe(false));
});
