import { requiredScope, Scope, scopeAllows } from './scope';

describe('scopeAllows: which key scope may call which route', () => {
  it.each([
    // held, required, allowed
    ['read', 'read', true],
    ['read', 'write', false],
    ['read', 'admin', false],
    ['write', 'read', true],
    ['write', 'write', true],
    ['write', 'admin', false],
    ['admin', 'read', true],
    ['admin', 'write', true],
    ['admin', 'admin', true],
  ] as [Scope, Scope, boolean][])('a %s key on a %s route: %s', (held, required, allowed) => {
    expect(scopeAllows(held, required)).toBe(allowed);
  });
});

describe('requiredScope: what a route needs', () => {
  it.each([
    // @RequireScope, method, needed
    ['write', 'POST', 'write'],
    ['read', 'GET', 'read'],
    ['admin', 'GET', 'admin'],
    ['read', 'POST', 'read'],
    [undefined, 'GET', 'read'],
    [undefined, 'HEAD', 'read'],
    [undefined, 'get', 'read'],
    [undefined, 'POST', 'admin'],
    [undefined, 'PUT', 'admin'],
    [undefined, 'PATCH', 'admin'],
    [undefined, 'DELETE', 'admin'],
  ] as [Scope | undefined, string, Scope][])('declared %s, %s -> %s (undeclared writes fail closed)', (declared, method, needed) => {
    expect(requiredScope(declared, method)).toBe(needed);
  });
});
