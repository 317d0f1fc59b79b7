import { deterministicId, UUID_PATTERN, uuidv7 } from './ids';

describe('uuidv7', () => {
  it('makes valid, unique, time-ordered ids even within one millisecond', () => {
    const ids = Array.from({ length: 10000 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 50)) {
      expect(id).toMatch(UUID_PATTERN);
      expect(id[14]).toBe('7');
    }
  });
});

describe('deterministicId', () => {
  it('maps the same parts to the same id and different tenants to different ids', () => {
    expect(deterministicId('acme', 'key-1')).toBe(deterministicId('acme', 'key-1'));
    expect(deterministicId('acme', 'key-1')).not.toBe(deterministicId('globex', 'key-1'));
    expect(deterministicId('acme', 'key-1')).toMatch(UUID_PATTERN);
  });
});
