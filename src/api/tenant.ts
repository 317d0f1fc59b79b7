import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Request } from 'express';

export const DEFAULT_TENANT = 'default';

/** Maps the request's API key to its tenant; with no keys configured everything is `default`. */
export function resolveTenant(req: Request, apiKeys: Record<string, string>): string {
  if (Object.keys(apiKeys).length === 0) return DEFAULT_TENANT;
  const auth = req.header('authorization');
  const key = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : req.header('x-api-key');
  const tenant = key ? apiKeys[key] : undefined;
  if (!tenant) throw new UnauthorizedException('a valid API key is required (Authorization: Bearer <key> or x-api-key)');
  return tenant;
}

/** The caller's tenant, set on the request by TenantGuard. */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<Request & { tenantId?: string }>().tenantId ?? DEFAULT_TENANT;
});
