import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import { Request, Response } from 'express';
import { ErrorCode, TasklogError } from '../common/errors';
import { JsonLogger } from '../common/logger';
import { isDatabaseUnavailable } from '../projection/database-errors';
import { Problem, problem, PROBLEM_CONTENT_TYPE } from './problem';

const STATUS_BY_CODE: Partial<Record<ErrorCode, [number, string]>> = {
  [ErrorCode.INVALID_INPUT]: [400, 'Invalid request'],
  [ErrorCode.UNKNOWN_TASK_TYPE]: [422, 'Unknown task type'],
  [ErrorCode.PAYLOAD_TOO_LARGE]: [413, 'Payload too large'],
  [ErrorCode.TASK_NOT_FOUND]: [404, 'Task not found'],
  [ErrorCode.IDEMPOTENCY_CONFLICT]: [409, 'Idempotency key conflict'],
  [ErrorCode.TASK_STATE_CONFLICT]: [409, 'Task state conflict'],
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: [415, 'Unsupported media type'],
  [ErrorCode.BROKER_UNAVAILABLE]: [503, 'Broker unavailable'],
  [ErrorCode.DATABASE_UNAVAILABLE]: [503, 'Database unavailable'],
  [ErrorCode.NOT_READY]: [503, 'Not ready'],
  [ErrorCode.INVALID_SCHEDULE]: [422, 'Invalid schedule'],
  [ErrorCode.SCHEDULE_NOT_FOUND]: [404, 'Schedule not found'],
  [ErrorCode.API_KEY_INVALID]: [401, 'Unauthorized'],
  [ErrorCode.SCOPE_INSUFFICIENT]: [403, 'Forbidden'],
  [ErrorCode.RATE_LIMITED]: [429, 'Too many requests'],
};

/** The HTTP status an error code answers with (per-item results of a batch use it too). */
export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code]?.[0] ?? 500;
}

/** body-parser's own error types, raised before any controller runs. */
const BODY_PARSER: Record<string, [number, string]> = {
  'entity.too.large': [413, 'Payload too large'],
  'encoding.unsupported': [415, 'Unsupported encoding'],
  'charset.unsupported': [415, 'Unsupported charset'],
};

const HTTP_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  411: 'Length required',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  431: 'Request header fields too large',
  503: 'Service unavailable',
};

/** Turns anything thrown in a request into problem+json; nothing leaves as a bare 500. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const body = { ...this.toProblem(exception), instance: req.originalUrl };
    if (body.status >= 500)
      this.logger.write('error', 'request failed', {
        reqId: (req as { id?: unknown }).id,
        path: req.originalUrl,
        status: body.status,
        detail: body.detail,
      });
    if (body.status === 503) res.setHeader('Retry-After', '5');
    if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="tasklog"');
    res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  private toProblem(e: unknown): Problem {
    if (e instanceof TasklogError) {
      const [status, title] = STATUS_BY_CODE[e.code] ?? [500, 'Internal error'];
      return problem(status, title, e.message, { code: e.code, ...(e.details ?? {}) });
    }
    const bodyError = e as { type?: string; message?: string };
    if (bodyError && typeof bodyError.type === 'string' && BODY_PARSER[bodyError.type]) {
      const [status, title] = BODY_PARSER[bodyError.type];
      return problem(status, title, bodyError.message ?? title);
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      // Nest turns body-parser's JSON SyntaxError into a BadRequestException with its message.
      return problem(status, HTTP_TITLES[status] ?? 'Error', e.message);
    }
    const exposed = exposedClientError(e);
    if (exposed) return problem(exposed.status, HTTP_TITLES[exposed.status] ?? 'Bad request', exposed.detail);
    if (isDatabaseUnavailable(e)) return problem(503, 'Database unavailable', 'the read model is unreachable; retry shortly');
    this.logger.write('error', 'unexpected error', { err: e });
    return problem(500, 'Internal error', 'an unexpected error occurred; it has been logged');
  }
}

/**
 * An http-errors style error (body-parser, raw-body, zlib through them) that marks itself as
 * meant for the client: `expose: true` with a 4xx `status` or `statusCode`. Such errors come
 * without a known `type` (a body that lies about its gzip encoding is one), and are the client's
 * fault, so they keep their status instead of becoming a 500.
 */
function exposedClientError(e: unknown): { status: number; detail: string } | null {
  const err = e as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown } | null;
  if (!err || typeof err !== 'object' || err.expose !== true) return null;
  const status = typeof err.status === 'number' ? err.status : err.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) return null;
  const message = typeof err.message === 'string' ? err.message : '';
  // http-errors falls back to the bare status text ("Bad Request"), which explains nothing.
  const generic = !message || message.toLowerCase() === (HTTP_TITLES[status] ?? '').toLowerCase();
  return { status, detail: generic ? 'the request could not be read (is its body encoded as its headers say?)' : message };
}
