import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Principal } from '../auth/principal';
import { RequireScope } from '../auth/require-scope.decorator';
import { Scope } from '../auth/scope';
import { ErrorCode, TasklogError } from '../common/errors';
import { ApiKeyResolver } from './api-key.resolver';
import { TenantGuard } from './tenant.guard';
import { TenantRequest } from './tenant';

class Routes {
  @RequireScope('write')
  enqueue() {}
  @RequireScope('read')
  view() {}
  @RequireScope('admin')
  deadLetters() {}
  undecorated() {}
}

function context(handler: keyof Routes, method: string, req: Partial<TenantRequest>): ExecutionContext {
  const request = { method, path: '/v1/x', header: () => undefined, ...req };
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function guardFor(scope: Scope): TenantGuard {
  const principal: Principal = { tenantId: 'acme', scope, keyId: 'db:k1' };
  return new TenantGuard({ resolve: async () => principal } as unknown as ApiKeyResolver, new Reflector());
}

async function outcome(scope: Scope, handler: keyof Routes, method: string): Promise<'allowed' | number> {
  try {
    await guardFor(scope).canActivate(context(handler, method, {}));
    return 'allowed';
  } catch (e) {
    expect((e as TasklogError).code).toBe(ErrorCode.SCOPE_INSUFFICIENT);
    return 403;
  }
}

describe('TenantGuard reads @RequireScope from the route', () => {
  it.each([
    ['read', 'view', 'GET', 'allowed'],
    ['read', 'enqueue', 'POST', 403],
    ['read', 'deadLetters', 'GET', 403],
    ['read', 'undecorated', 'GET', 'allowed'],
    ['read', 'undecorated', 'DELETE', 403],
    ['write', 'enqueue', 'POST', 'allowed'],
    ['write', 'deadLetters', 'GET', 403],
    ['write', 'undecorated', 'POST', 403],
    ['admin', 'deadLetters', 'GET', 'allowed'],
    ['admin', 'undecorated', 'DELETE', 'allowed'],
  ] as [Scope, keyof Routes, string, 'allowed' | number][])('a %s key on %s (%s): %s', async (scope, handler, method, expected) => {
    expect(await outcome(scope, handler, method)).toBe(expected);
  });

  it("sets the key's tenant and principal on the request", async () => {
    const req: Partial<TenantRequest> = {};
    const ctx = context('view', 'GET', req);
    await guardFor('read').canActivate(ctx);
    const seen = ctx.switchToHttp().getRequest<TenantRequest>();
    expect(seen.tenantId).toBe('acme');
    expect(seen.principal?.keyId).toBe('db:k1');
  });
});
