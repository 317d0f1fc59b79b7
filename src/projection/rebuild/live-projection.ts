import { Knex } from '@mikro-orm/knex';
import { KafkaClient } from '../../kafka';
import { quoteIdentifier } from '../sql-identifier';
import { Offsets, PROJECTION, ProjectedTopics } from './shadow-projection';

/**
 * Where the live projection stands: its checkpoint per topic and partition, or the log start
 * for a partition it has not projected yet. A checkpoint past the end of its topic means the
 * topic was recreated under the projection, which no rebuild can reproduce: that is an error.
 */
export async function liveOffsets(knex: Knex | Knex.Transaction, kafka: KafkaClient, topics: ProjectedTopics): Promise<Offsets> {
  const res = await knex.raw(`select topic, partition, "offset" from projection_checkpoints where projection = ?`, [PROJECTION]);
  const checkpoints = new Map<string, number>();
  for (const r of res.rows) checkpoints.set(`${r.topic}/${r.partition}`, Number(r.offset));
  const out: Offsets = new Map();
  for (const topic of [...topics.lanes, topics.events]) {
    const partitions = new Map<number, number>();
    for (const [partition, { low, high }] of await kafka.offsetRanges(topic)) {
      const at = checkpoints.get(`${topic}/${partition}`) ?? low;
      if (at > high) throw new Error(`the live checkpoint of ${topic}/${partition} (${at}) is past the end of the topic (${high})`);
      partitions.set(partition, Math.max(at, low));
    }
    out.set(topic, partitions);
  }
  return out;
}

/**
 * Runs `fn` with the live projection paused: its projectors and deletions wait at their first
 * statement (both tables they start with are locked; plain reads go on). Bounded by a lock
 * timeout, so a rebuild never queues forever behind a long transaction.
 */
export async function whilePaused<T>(knex: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<{ value: T; pausedMs: number }> {
  const began = Date.now();
  const value = await knex.transaction(async (trx) => {
    await trx.raw(`set local lock_timeout = '10s'`);
    await trx.raw(`lock table task_deletions, projection_checkpoints in exclusive mode`);
    return fn(trx);
  });
  return { value, pausedMs: Date.now() - began };
}

/** The tables a projection owns; the rest of the schema (keys, schedules, dead letters, tombstones) stays. */
const OWNED = ['tasks', 'task_events', 'task_counts', 'projection_checkpoints'];

/**
 * Moves the live projection's tables to `retired` and the shadow's into the live schema, inside
 * the caller's transaction: readers see the old tables or the new ones, never a mix. Every
 * process addresses tables by name through its search_path, so each one reads the new tables
 * from its next statement on.
 */
export async function swapTables(trx: Knex.Transaction, live: string, shadow: string, retired: string): Promise<void> {
  await trx.raw(`create schema ${quoteIdentifier(retired)}`);
  for (const table of OWNED) {
    await trx.raw(`alter table ${quoteIdentifier(live)}.${table} set schema ${quoteIdentifier(retired)}`);
    await trx.raw(`alter table ${quoteIdentifier(shadow)}.${table} set schema ${quoteIdentifier(live)}`);
  }
}
