import pino, { DestinationStream, Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The process's pino logger: one JSON line per event, level as its name, ISO time, and errors
 * under `err` with their stack. The standalone app shares it with nestjs-pino's request logs.
 */
export function createPinoLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The engine's logger: a thin wrapper over pino keeping the `write(level, msg, fields)` and
 * `child(bindings)` calls used across the code. Pass an Error as `err` to keep its stack.
 *
 *   logger.child({ component: 'worker' }).write('warn', 'append failed', { err, retryInMs });
 */
export class JsonLogger {
  readonly pino: Logger;

  constructor(base: LogLevel | Logger = 'info', bindings: Record<string, unknown> = {}) {
    const root = typeof base === 'string' ? createPinoLogger(base) : base;
    this.pino = Object.keys(bindings).length > 0 ? root.child(bindings) : root;
  }

  child(bindings: Record<string, unknown>): JsonLogger {
    return new JsonLogger(this.pino.child(bindings));
  }

  write(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    this.pino[level](fields, msg);
  }
}
