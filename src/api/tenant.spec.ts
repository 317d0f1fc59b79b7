import { Request } from 'express';
import { ApiKeyRing } from './api-key-ring';
import { presentedKey } from './tenant';

function request(headers: Record<string, string>, method = 'GET'): Pick<Request, 'header' | 'method'> {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, header: ((name: string) => lower[name.toLowerCase()]) as Request['header'] };
}

describe('presentedKey', () => {
  it.each([
    [{ 'x-api-key': 'acme-key' }, 'acme-key'],
    [{ authorization: 'Bearer globex-key' }, 'globex-key'],
    [{ authorization: 'bearer acme-key' }, 'acme-key'],
    [{ authorization: 'BEARER   acme-key  ' }, 'acme-key'],
    [{ authorization: 'Bearer\tacme-key' }, 'acme-key'],
    [{ authorization: 'Bearer bearer-wins', 'x-api-key': 'other' }, 'bearer-wins'],
  ])('reads %j as %s', (headers, key) => {
    expect(presentedKey(request(headers))).toBe(key);
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Beareracme-key', 'Basic YWNtZS1rZXk6'])(
    'finds no key in Authorization %j',
    (authorization) => {
      expect(presentedKey(request({ authorization }))).toBeUndefined();
    },
  );

  it('takes an empty x-api-key as no key', () => {
    expect(presentedKey(request({ 'x-api-key': '' }))).toBeUndefined();
  });
});

describe('ApiKeyRing (TASKLOG_API_KEYS)', () => {
  const ring = new ApiKeyRing({ 'acme-key': 'acme', 'globex-key': 'globex:read', 'ops-key': 'acme:write' });

  it('maps each key to its tenant and scope; a key without a scope is an admin key', () => {
    expect(ring.find('acme-key')).toMatchObject({ tenantId: 'acme', scope: 'admin' });
    expect(ring.find('globex-key')).toMatchObject({ tenantId: 'globex', scope: 'read' });
    expect(ring.find('ops-key')).toMatchObject({ tenantId: 'acme', scope: 'write' });
  });

  it('names each key by a digest prefix (the rate limit counts per key), never by the key', () => {
    const ids = ['acme-key', 'globex-key', 'ops-key'].map((k) => ring.find(k)!.keyId);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^env:[0-9a-f]{12}$/);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '', 'acme-key-', 'k'.repeat(10240)])(
    'knows no key %j',
    (key) => {
      expect(ring.find(key)).toBeNull();
    },
  );

  it('does not take inherited members of the key record as keys', () => {
    const inherited = Object.create({ 'inherited-key': 'evil' }) as Record<string, string>;
    inherited['own-key'] = 'acme';
    const r = new ApiKeyRing(inherited);
    expect(r.find('inherited-key')).toBeNull();
    expect(r.find('own-key')?.tenantId).toBe('acme');
  });

  describe("the dashboard's key cookie (EventSource cannot send headers)", () => {
    it('presents the cookie of a GET as its key', () => {
      expect(presentedKey(request({ cookie: 'a=b; tasklog_key=globex-key' }))).toBe('globex-key');
    });

    it('is not honoured for writes, which must carry the key in a header', () => {
      expect(presentedKey(request({ cookie: 'tasklog_key=globex-key' }, 'POST'))).toBeUndefined();
    });

    it('gives way to a header key, and presents no key for a cookie that does not decode', () => {
      expect(presentedKey(request({ cookie: 'tasklog_key=globex-key', 'x-api-key': 'acme-key' }))).toBe('acme-key');
      expect(presentedKey(request({ cookie: 'tasklog_key=%E0%A4%A' }))).toBeUndefined();
    });
  });
});
