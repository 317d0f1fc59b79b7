import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Request } from 'express';
import { DEFAULT_TENANT, Principal } from '../auth/principal';

export { DEFAULT_TENANT } from '../auth/principal';

/** A request once TenantGuard has let it through. */
export type TenantRequest = Request & { tenantId?: string; principal?: Principal };

// The auth scheme is case-insensitive and may be followed by any run of spaces (RFC 9110 11.4).
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/** The cookie the dashboard sets for its EventSource streams, which cannot send headers. */
export const KEY_COOKIE = 'tasklog_key';

/**
 * The key a request presents: the Bearer token when Authorization carries one, else x-api-key,
 * else, for reads (GET) only, the dashboard's cookie: never for writes, where a cookie would make
 * them forgeable across sites. An Authorization header that is not a well-formed Bearer (two
 * tokens, Basic) presents no key of its own.
 */
export function presentedKey(req: Pick<Request, 'header' | 'method'>): string | undefined {
  const bearer = BEARER.exec(req.header('authorization') ?? '');
  if (bearer) return bearer[1];
  const header = req.header('x-api-key');
  if (header !== undefined || req.method !== 'GET') return header || undefined;
  return cookieValue(req.header('cookie'), KEY_COOKIE) || undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The caller's tenant, set on the request by TenantGuard. */
export const Tenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return ctx.switchToHttp().getRequest<TenantRequest>().tenantId ?? DEFAULT_TENANT;
});
