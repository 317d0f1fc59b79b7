import { LoggerService } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One JSON object per line on stdout; the only logger the engine uses. */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly bindings: Record<string, unknown> = {},
    /** stdout; the CLI's `events export` logs to stderr, since stdout carries the events. */
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  child(bindings: Record<string, unknown>): JsonLogger {
    return new JsonLogger(this.level, { ...this.bindings, ...bindings }, this.out);
  }

  write(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (RANK[level] < RANK[this.level]) return;
    const line = { level, time: new Date().toISOString(), msg, ...this.bindings, ...fields };
    this.out.write(JSON.stringify(line) + '\n');
  }

  debug(message: unknown, context?: string): void {
    this.write('debug', String(message), context ? { context } : {});
  }
  log(message: unknown, context?: string): void {
    this.write('info', String(message), context ? { context } : {});
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', String(message), context ? { context } : {});
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.write('error', String(message), { ...(context ? { context } : {}), ...(trace ? { trace } : {}) });
  }
  verbose(message: unknown, context?: string): void {
    this.debug(message, context);
  }
}
