import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { ErrorCode, TasklogError } from '../common/errors';

/** Media types taken as JSON bodies, by the body parser and by JsonBodyGuard alike. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/**
 * Refuses a body that is not JSON with 415. The JSON body parser skips other media types, so
 * without this a text/plain or form body reached the handler as "no body" and answered a
 * misleading 400.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (!hasBody(req) || req.is(JSON_MEDIA_TYPES)) return true;
    const given = req.header('content-type');
    throw new TasklogError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `the body must be JSON (content-type: application/json); got ${given ? `"${given}"` : 'no content-type'}`,
      { accepted: JSON_MEDIA_TYPES },
    );
  }
}

/** Whether the request carries body bytes; an explicit `content-length: 0` is no body. */
function hasBody(req: Request): boolean {
  const length = req.header('content-length');
  return req.header('transfer-encoding') !== undefined || (length !== undefined && Number(length) !== 0);
}
