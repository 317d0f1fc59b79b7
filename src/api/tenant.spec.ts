import { UnauthorizedException } from '@nestjs/common';
import { Request } from 'express';
import { ApiKeyRing } from './api-key-ring';
import { DEFAULT_TENANT, resolveTenant } from './tenant';

function request(headers: Record<string, string>, method = 'GET'): Request {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, header: (name: string) => lower[name.toLowerCase()] } as unknown as Request;
}

describe('resolveTenant', () => {
  const keys = new ApiKeyRing({ 'acme-key': 'acme', 'globex-key': 'globex' });

  it('gives every request tenant default when no keys are configured', () => {
    expect(resolveTenant(request({}), new ApiKeyRing({}))).toBe(DEFAULT_TENANT);
  });

  it.each([
    [{ 'x-api-key': 'acme-key' }, 'acme'],
    [{ authorization: 'Bearer globex-key' }, 'globex'],
    [{ authorization: 'bearer acme-key' }, 'acme'],
    [{ authorization: 'BEARER   acme-key  ' }, 'acme'],
    [{ authorization: 'Bearer\tacme-key' }, 'acme'],
  ])('maps %j to its tenant', (headers, tenant) => {
    expect(resolveTenant(request(headers), keys)).toBe(tenant);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', ''])(
    'refuses x-api-key %j with 401, as any unknown key',
    (key) => {
      expect(() => resolveTenant(request({ 'x-api-key': key }), keys)).toThrow(UnauthorizedException);
    },
  );

  it.each([
    'Bearer',
    'Bearer ',
    'Bearer __proto__',
    'Bearer constructor',
    'Bearer acme-key extra',
    'Bearer acme-key-',
    'Beareracme-key',
    'Basic YWNtZS1rZXk6',
    `Bearer ${'k'.repeat(10 * 1024)}`,
  ])('refuses Authorization %j with 401', (authorization) => {
    expect(() => resolveTenant(request({ authorization }), keys)).toThrow(UnauthorizedException);
  });

  it('refuses a 10 kB x-api-key with 401', () => {
    expect(() => resolveTenant(request({ 'x-api-key': 'a'.repeat(10 * 1024) }), keys)).toThrow(UnauthorizedException);
  });

  it('does not take inherited members of the key record as keys', () => {
    const inherited = Object.create({ 'inherited-key': 'evil' }) as Record<string, string>;
    inherited['own-key'] = 'acme';
    const ring = new ApiKeyRing(inherited);
    expect(() => resolveTenant(request({ 'x-api-key': 'inherited-key' }), ring)).toThrow(UnauthorizedException);
    expect(resolveTenant(request({ 'x-api-key': 'own-key' }), ring)).toBe('acme');
  });

  describe("the dashboard's key cookie (EventSource cannot send headers)", () => {
    it('maps a GET with the cookie to its tenant', () => {
      expect(resolveTenant(request({ cookie: 'a=b; tasklog_key=globex-key' }), keys)).toBe('globex');
    });

    it('is not honoured for writes, which must carry the key in a header', () => {
      expect(() => resolveTenant(request({ cookie: 'tasklog_key=globex-key' }, 'POST'), keys)).toThrow(UnauthorizedException);
    });

    it('gives way to a header key, and refuses a cookie that is not a key', () => {
      expect(resolveTenant(request({ cookie: 'tasklog_key=globex-key', 'x-api-key': 'acme-key' }), keys)).toBe('acme');
      expect(() => resolveTenant(request({ cookie: 'tasklog_key=%E0%A4%A' }), keys)).toThrow(UnauthorizedException);
    });
  });
});
