import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { Logger } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';
/** An incoming id is kept only when it is short and plain, so it cannot forge log lines. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes and scrapes run every few seconds; a line for each would drown the requests people read. */
const QUIET_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/** The request id: the caller's `x-request-id` when acceptable, else a new UUID; echoed on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && ACCEPTED_ID.test(given) ? given : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/**
 * nestjs-pino's settings: request lines through the app's pino logger, one per finished request
 * (`req` {id, method, url}, `res` {statusCode}, `responseTime`), and `reqId` on every line logged
 * through Nest's logger while a request is handled. Headers are left out: they carry API keys.
 */
export function requestLogParams(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      genReqId: requestId,
      quietReqLogger: true,
      autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
