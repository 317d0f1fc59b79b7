import { findUnstorable, MAX_JSON_DEPTH, textProblem, toStorableText } from './storable';

describe('findUnstorable', () => {
  it.each([
    ['a NUL in a nested string', { a: [{ b: 'x\u0000y' }] }, 'payload.a.0.b', /NUL/],
    ['a NUL in a key', { ['k\u0000']: 1 }, 'payload."k\\u0000"', /key that contains a NUL/],
    ['a lone high surrogate', ['\uD800'], 'payload.0', /surrogate/],
    ['a lone low surrogate', 'a\uDC00', 'payload', /surrogate/],
  ])('names the path of %s', (_, value, path, problem) => {
    const found = findUnstorable(value, 'payload');
    expect(found?.path).toBe(path);
    expect(found?.problem).toMatch(problem);
  });

  it('accepts paired surrogates (emoji), unicode and ordinary JSON', () => {
    expect(findUnstorable({ s: '😀 héllo ✓ \u2028', n: [1, 2.5, null, true] }, 'payload')).toBeNull();
  });

  it('refuses nesting past the limit without recursing', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100000; i++) deep = [deep];
    expect(findUnstorable(deep, 'payload')?.problem).toMatch(`deeper than ${MAX_JSON_DEPTH}`);
    let ok: unknown = 'leaf';
    for (let i = 0; i < MAX_JSON_DEPTH; i++) ok = { a: ok };
    expect(findUnstorable(ok, 'payload')).toBeNull();
  });
});

describe('toStorableText', () => {
  it('replaces what Postgres refuses and cuts to the length', () => {
    expect(toStorableText('a\u0000b\uD800')).toBe('a\uFFFDb\uFFFD');
    expect(textProblem(toStorableText('x\u0000'.repeat(10), 5))).toBeNull();
    expect(toStorableText('abcdefgh', 5)).toHaveLength(5);
  });
});
