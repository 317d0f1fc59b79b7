import { createHash } from 'node:crypto';
import { Client } from 'pg';

/**
 * Leadership as a Postgres session advisory lock on a connection of its own: held while that
 * connection lives, released by Postgres the moment the holder's process or connection dies
 * (SIGKILL included), so a standby's next `tryAcquire` wins.
 */
export class LeaderLock {
  private client: Client | null = null;
  private held = false;

  constructor(
    private readonly databaseUrl: string,
    /** Names what is led; processes with the same name compete for one lock. */
    readonly name: string,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Takes the lock if free; true while this process holds it. Throws when Postgres is unreachable. */
  async tryAcquire(): Promise<boolean> {
    if (this.held) return this.verify();
    const client = await this.connect();
    const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1::bigint) as ok', [lockKey(this.name)]);
    this.held = res.rows[0].ok;
    return this.held;
  }

  /** Checks the lock's connection still answers; a dead connection means the lock is gone. */
  private async verify(): Promise<boolean> {
    try {
      await this.client!.query('select 1');
      return true;
    } catch {
      await this.drop();
      return false;
    }
  }

  async release(): Promise<void> {
    await this.drop();
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.databaseUrl,
      keepAlive: true,
      statement_timeout: 5000,
      connectionTimeoutMillis: 3000,
    });
    client.on('error', () => void this.drop());
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    this.client = client;
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held = false;
    await client?.end().catch(() => undefined);
  }
}

/** A stable signed 64-bit key for pg_advisory_lock from a name. */
export function lockKey(name: string): string {
  return BigInt.asIntN(64, createHash('sha256').update(name).digest().readBigUInt64BE(0)).toString();
}
