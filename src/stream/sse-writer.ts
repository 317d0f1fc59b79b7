import { Response } from 'express';

export interface SseWriterOptions {
  /** A comment line this often keeps proxies and load balancers from closing an idle stream. */
  keepAliveMs: number;
  /** What the browser waits before it reconnects (the SSE `retry` field). */
  retryMs: number;
  /**
   * Bytes the socket may hold unsent. A client slower than its stream is cut off rather than
   * buffered without bound; it reconnects with Last-Event-ID and catches up from Postgres.
   */
  maxBufferedBytes: number;
}

/** Server-sent events on a plain express response: framing, keep-alives, back-pressure. */
export class SseWriter {
  private keepAlive: NodeJS.Timeout | null = null;
  private isClosed = false;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly res: Response,
    private readonly options: SseWriterOptions,
  ) {
    res.on('close', () => this.finish());
  }

  get opened(): boolean {
    return this.res.headersSent;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  onClose(fn: () => void): void {
    if (this.isClosed) fn();
    else this.closeHandlers.push(fn);
  }

  /** Sends the headers; called by the first event at the latest. */
  open(): void {
    if (this.res.headersSent || this.isClosed) return;
    this.res.status(200);
    this.res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('cache-control', 'no-cache, no-transform');
    this.res.setHeader('connection', 'keep-alive');
    this.res.setHeader('x-accel-buffering', 'no');
    this.res.socket?.setNoDelay(true);
    this.res.socket?.setTimeout(0);
    this.res.flushHeaders();
    this.write(`retry: ${this.options.retryMs}\n\n`);
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), this.options.keepAliveMs);
    this.keepAlive.unref();
  }

  /** One event; `id` becomes the browser's Last-Event-ID. */
  event(data: unknown, opts: { id?: string; name?: string } = {}): void {
    this.open();
    let frame = '';
    if (opts.id !== undefined) frame += `id: ${opts.id}\n`;
    if (opts.name) frame += `event: ${opts.name}\n`;
    frame += `data: ${JSON.stringify(data)}\n\n`;
    this.write(frame);
  }

  /** Resolves when the socket has room again (or the client is gone). */
  drained(): Promise<void> {
    if (this.isClosed || !this.res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Ends the stream normally, telling the client with an `end` event first. */
  end(): void {
    if (this.isClosed) return;
    if (this.opened) this.write('event: end\ndata: {}\n\n');
    this.res.end();
    this.finish();
  }

  /** Answers 204 instead of a stream: a browser's EventSource then stops reconnecting. */
  noContent(): void {
    if (this.isClosed || this.opened) return this.end();
    this.res.status(204).end();
    this.finish();
  }

  private write(chunk: string): void {
    if (this.isClosed) return;
    this.res.write(chunk);
    if (this.res.writableLength > this.options.maxBufferedBytes) {
      this.res.destroy();
      this.finish();
    }
  }

  private finish(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
    for (const fn of this.closeHandlers.splice(0)) fn();
  }
}
