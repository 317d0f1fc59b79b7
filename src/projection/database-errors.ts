/** Postgres SQLSTATEs that mean "the server is not there right now", not "your query is wrong". */
export const PgErrorCode = {
  ADMIN_SHUTDOWN: '57P01',
  CRASH_SHUTDOWN: '57P02',
  CANNOT_CONNECT_NOW: '57P03',
  CONNECTION_EXCEPTION_CLASS: '08',
  TOO_MANY_CONNECTIONS: '53300',
} as const;

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const MESSAGES = [
  /Connection terminated/i,
  /Connection ended unexpectedly/i,
  /Timeout acquiring a connection/i,
  /Client has encountered a connection error/i,
];

/** True when an error means Postgres is unreachable (so 503 and retry), false for anything else. */
export function isDatabaseUnavailable(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!err || typeof err !== 'object') return false;
  const code = typeof err.code === 'string' ? err.code : '';
  if (SOCKET_CODES.has(code)) return true;
  if (code === PgErrorCode.ADMIN_SHUTDOWN || code === PgErrorCode.CRASH_SHUTDOWN || code === PgErrorCode.CANNOT_CONNECT_NOW) return true;
  if (code === PgErrorCode.TOO_MANY_CONNECTIONS || (code.length === 5 && code.startsWith(PgErrorCode.CONNECTION_EXCEPTION_CLASS)))
    return true;
  if (typeof err.message === 'string' && MESSAGES.some((m) => m.test(err.message as string))) return true;
  return err.cause !== undefined && err.cause !== e && isDatabaseUnavailable(err.cause);
}
