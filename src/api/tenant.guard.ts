import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { REQUIRED_SCOPE } from '../auth/require-scope.decorator';
import { requiredScope, Scope, scopeAllows } from '../auth/scope';
import { ErrorCode, TasklogError } from '../common/errors';
import { ApiKeyResolver } from './api-key.resolver';
import { presentedKey, TenantRequest } from './tenant';

/**
 * Sets the request's tenant from its API key (401 without a valid one, unless the API is open)
 * and refuses with 403 a key whose scope does not cover the route's @RequireScope.
 */
@Injectable()
export class TenantGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyResolver,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<TenantRequest>();
    const principal = await this.keys.resolve(presentedKey(req));
    const declared = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [ctx.getHandler(), ctx.getClass()]);
    const required = requiredScope(declared, req.method);
    if (!scopeAllows(principal.scope, required)) {
      throw new TasklogError(
        ErrorCode.SCOPE_INSUFFICIENT,
        `this API key has scope ${principal.scope}; ${req.method} ${req.path} needs ${required}`,
        {
          scope: principal.scope,
          requiredScope: required,
        },
      );
    }
    req.tenantId = principal.tenantId;
    req.principal = principal;
    return true;
  }
}
