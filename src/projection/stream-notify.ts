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
 * Tells the live streams that `partition` is projected up to `nextOffset`. Issued inside the
 * projection's transaction, so Postgres delivers it exactly when the rows become visible (and
 * never for a batch that rolled back). The payload stays tiny; listeners read the rows.
 */
export async function notifyProjected(trx: Knex.Transaction, channel: string, partition: number, nextOffset: number): Promise<void> {
  await trx.raw(`select pg_notify(?, ?)`, [channel, `${partition}:${nextOffset}`]);
}

/** Parses a `partition:nextOffset` payload; null for anything else. */
export function parseProjectedNotice(payload: string | undefined): { partition: number; nextOffset: number } | null {
  const m = /^(\d{1,9}):(\d{1,16})$/.exec(payload ?? '');
  return m ? { partition: Number(m[1]), nextOffset: Number(m[2]) } : null;
}
