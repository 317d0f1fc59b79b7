import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Request } from 'express';
import { ApiKeyRing } from './api-key-ring';

export const DEFAULT_TENANT = 'default';

// The auth scheme is case-insensitive and may be followed by any run of spaces (RFC 9110 11.4).
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/** Maps the request's API key to its tenant; with no keys configured everything is `default`. */
export function resolveTenant(req: Request, keys: ApiKeyRing): string {
  if (keys.isEmpty) return DEFAULT_TENANT;
  const key = presentedKey(req);
  const tenant = key ? keys.tenantFor(key) : null;
  if (!tenant) throw new UnauthorizedException('a valid API key is required (Authorization: Bearer <key> or x-api-key)');
  return tenant;
}

/** The Bearer token when Authorization carries one, else x-api-key. */
function presentedKey(req: Request): string | undefined {
  const bearer = BEARER.exec(req.header('authorization') ?? '');
  return bearer ? bearer[1] : req.header('x-api-key');
}

/** The caller's tenant, set on the request by TenantGuard. */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<Request & { tenantId?: string }>().tenantId ?? DEFAULT_TENANT;
});
