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

/** The cookie the dashboard sets for its EventSource streams, which cannot send headers. */
export const KEY_COOKIE = 'tasklog_key';

/**
 * The Bearer token when Authorization carries one, else x-api-key; for reads (GET) only, else
 * the dashboard's cookie. Never for writes: a cookie would make them forgeable across sites.
 */
function presentedKey(req: Request): string | undefined {
  const bearer = BEARER.exec(req.header('authorization') ?? '');
  if (bearer) return bearer[1];
  const header = req.header('x-api-key');
  if (header !== undefined || req.method !== 'GET') return header;
  return cookieValue(req.header('cookie'), KEY_COOKIE);
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
  return ctx.switchToHttp().getRequest<Request & { tenantId?: string }>().tenantId ?? DEFAULT_TENANT;
});
