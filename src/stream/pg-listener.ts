import { Client } from 'pg';
import { retryWithBackoff } from '../common/retry';
import { JsonLogger } from '../common/logger';

export interface PgListenerOptions {
  databaseUrl: string;
  channel: string;
  /** Each notification's payload. */
  onNotice: (payload: string | undefined) => void;
  /** After every (re)connection, once LISTEN is active: notices sent while away are lost, so re-read. */
  onListening: () => Promise<void>;
  logger: JsonLogger;
}

/**
 * The process's one LISTEN connection (a plain pg client outside the pool: a pooled connection
 * would be handed back and stop listening). It reconnects by itself after an error.
 */
export class PgListener {
  private client: Client | null = null;
  private first: Promise<void> | null = null;
  private closed = false;
  private reconnecting = false;

  constructor(private readonly options: PgListenerOptions) {}

  /** Resolves once LISTEN is active; a failed first attempt rejects, and the next call tries again. */
  start(): Promise<void> {
    this.first ??= this.connect().catch((e) => {
      this.first = null;
      throw e;
    });
    return this.first;
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.options.databaseUrl });
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (n) => {
      if (n.channel === this.options.channel) this.options.onNotice(n.payload);
    });
    try {
      await client.connect();
      await client.query(`listen "${this.options.channel}"`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    try {
      await this.options.onListening();
    } catch (e) {
      // Not listening usefully without the re-read: let the caller (or the retry) start over.
      this.client = null;
      await client.end().catch(() => undefined);
      throw e;
    }
  }

  private lost(client: Client, e: Error): void {
    if (this.closed || this.client !== client || this.reconnecting) return;
    this.client = null;
    this.reconnecting = true;
    this.options.logger.write('warn', 'stream listener lost its connection; reconnecting', { error: e.message });
    void client.end().catch(() => undefined);
    void retryWithBackoff(() => this.connect(), {
      initialMs: 200,
      maxMs: 5000,
      stop: () => this.closed,
      onError: (err, retryInMs) => this.options.logger.write('warn', 'stream listener reconnect failed', { error: err.message, retryInMs }),
    })
      .catch(() => undefined)
      .finally(() => (this.reconnecting = false));
  }
}
