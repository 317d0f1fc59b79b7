import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  let now = 0;
  const cache = () => new TtlCache<string | null>(2000, 3, () => now);

  beforeEach(() => (now = 1_000_000));

  it('answers while fresh, then only as a stale fallback', () => {
    const c = cache();
    c.set('a', 'acme');
    now += 1999;
    expect(c.fresh('a')).toBe('acme');
    now += 1;
    expect(c.fresh('a')).toBeUndefined();
    expect(c.stale('a')).toBe('acme');
  });

  it('keeps a negative answer (null) apart from no answer (undefined)', () => {
    const c = cache();
    c.set('bad', null);
    expect(c.fresh('bad')).toBeNull();
    expect(c.fresh('never-asked')).toBeUndefined();
  });

  it('starts over instead of growing past its size', () => {
    const c = cache();
    for (const k of ['a', 'b', 'c']) c.set(k, k);
    c.set('a', 'again');
    expect(c.fresh('b')).toBe('b');
    c.set('d', 'd');
    expect(c.stale('b')).toBeUndefined();
    expect(c.fresh('d')).toBe('d');
  });
});
