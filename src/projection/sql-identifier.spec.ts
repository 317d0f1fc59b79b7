import { quoteIdentifier } from './sql-identifier';

describe('quoteIdentifier', () => {
  it.each([
    ['public', '"public"'],
    ['t_abc', '"t_abc"'],
    ['Mixed Case', '"Mixed Case"'],
    ['x"; drop schema public cascade; --', '"x""; drop schema public cascade; --"'],
    ['""', '""""""'],
  ])('quotes %j as %s', (name, quoted) => {
    expect(quoteIdentifier(name)).toBe(quoted);
  });

  it.each(['', 'a\u0000b'])('refuses %j, which Postgres cannot take as a name', (name) => {
    expect(() => quoteIdentifier(name)).toThrow(/not a usable SQL identifier/);
  });
});
