import { createHash } from 'node:crypto';
import { Knex } from '@mikro-orm/knex';

/**
 * The LISTEN/NOTIFY channel of one schema's projection. Hashed, so any schema name (up to 63
 * characters) gives a channel name within Postgres' identifier limit.
 */
export function streamChannel(schema: string): string {
  return `tasklog_stream_${createHash('sha1').update(schema).digest('hex').slice(0, 20)}`;
}

/**
 * Tells the live streams that the history rows of the events topic's `partition` are written up
 * to `nextOffset`. Issued in the transaction that writes them, right after them, so Postgres
 * delivers it exactly when the rows become visible (never for a batch that rolled back, and not
 * for writes without history rows). The payload stays tiny; listeners read the rows.
 */
export async function notifyProjected(trx: Knex.Transaction, channel: string, partition: number, nextOffset: number): Promise<void> {
  await trx.raw(`select pg_notify(?, ?)`, [channel, `${partition}:${nextOffset}`]);
}

/** Parses a `partition:nextOffset` payload; null for anything else. */
export function parseProjectedNotice(payload: string | undefined): { partition: number; nextOffset: number } | null {
  const m = /^(\d{1,9}):(\d{1,16})$/.exec(payload ?? '');
  return m ? { partition: Number(m[1]), nextOffset: Number(m[2]) } : null;
}
