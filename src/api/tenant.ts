import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Request } from 'express';
import { DEFAULT_TENANT, Principal } from '../auth/principal';

export { DEFAULT_TENANT } from '../auth/principal';

/** A request once TenantGuard has let it through. */
export type TenantRequest = Request & { tenantId?: string; principal?: Principal };

// The auth scheme is case-insensitive and may be followed by any run of spaces (RFC 9110 11.4).
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The key a request presents: the Bearer token when Authorization carries one, else x-api-key.
 * An Authorization header that is not a well-formed Bearer (two tokens, Basic) presents no key.
 */
export function presentedKey(req: Pick<Request, 'header'>): string | undefined {
  const bearer = BEARER.exec(req.header('authorization') ?? '');
  return (bearer ? bearer[1] : req.header('x-api-key')) || undefined;
}

/** The caller's tenant, set on the request by TenantGuard. */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<TenantRequest>().tenantId ?? DEFAULT_TENANT;
});
