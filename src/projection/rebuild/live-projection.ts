import { Knex } from '@mikro-orm/knex';
import { KafkaClient } from '../../kafka';
import { quoteIdentifier } from '../sql-identifier';
import { Offsets, PROJECTION, ProjectedTopics, Targets } from './shadow-projection';

/**
 * Where the live projection stands: its checkpoint per topic and partition, or the log start
 * for a partition it has not projected yet. A checkpoint past the end of its topic means the
 * topic was recreated under the projection, which no rebuild can reproduce: that is an error.
 */
export async function liveOffsets(knex: Knex | Knex.Transaction, kafka: KafkaClient, topics: ProjectedTopics): Promise<Targets> {
  const res = await knex.raw(`select topic, partition, "offset" from projection_checkpoints where projection = ?`, [PROJECTION]);
  const checkpoints = new Map<string, number>();
  for (const r of res.rows) checkpoints.set(`${r.topic}/${r.partition}`, Number(r.offset));
  const out: Targets = { end: new Map(), low: new Map() };
  for (const topic of [...topics.lanes, topics.events]) {
    const end = new Map<number, number>();
    const lows = new Map<number, number>();
    for (const [partition, { low, high }] of await kafka.offsetRanges(topic)) {
      const at = checkpoints.get(`${topic}/${partition}`) ?? low;
      if (at > high) throw new Error(`the live checkpoint of ${topic}/${partition} (${at}) is past the end of the topic (${high})`);
      end.set(partition, Math.max(at, low));
      lows.set(partition, low);
    }
    out.end.set(topic, end);
    out.low.set(topic, lows);
  }
  return out;
}

/**
 * Runs `fn` with the live projection paused: its projectors and deletions wait at their first
 * statement (both tables they start with are locked; plain reads go on). Bounded twice: a lock
 * timeout, so a rebuild never queues behind a long transaction, and an idle-in-transaction
 * timeout, so Postgres itself ends the pause if the rebuild stalls or dies holding it.
 */
export async function whilePaused<T>(knex: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<{ value: T; pausedMs: number }> {
  const began = Date.now();
  const value = await knex.transaction(async (trx) => {
    await trx.raw(`set local lock_timeout = '5s'`);
    await trx.raw(`set local idle_in_transaction_session_timeout = '60s'`);
    await trx.raw(`lock table task_deletions, projection_checkpoints in exclusive mode`);
    return fn(trx);
  });
  return { value, pausedMs: Date.now() - began };
}

/** A lock not granted in time, or a deadlock Postgres broke by failing us: worth another try. */
export function isLockContention(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === '55P03' || code === '40P01';
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
  // All at once and briefly: a reader joining task_events to tasks takes them in its own order,
  // and one by one that could deadlock. Not granted within a second, the caller tries again.
  await trx.raw(`set local lock_timeout = '1s'`);
  await trx.raw(`lock table ${OWNED.map((t) => `${quoteIdentifier(live)}.${t}`).join(', ')} in access exclusive mode`);
  await trx.raw(`create schema ${quoteIdentifier(retired)}`);
  for (const table of OWNED) {
    await trx.raw(`alter table ${quoteIdentifier(live)}.${table} set schema ${quoteIdentifier(retired)}`);
    await trx.raw(`alter table ${quoteIdentifier(shadow)}.${table} set schema ${quoteIdentifier(live)}`);
  }
}

/**
 * What must hold before a rebuild starts, each with a message that says what to do: the live
 * schema exists and is migrated (checked without creating anything), the topics exist, and the
 * live checkpoints belong to these topics (a wrong prefix would otherwise "differ" everywhere).
 */
export async function checkLive(
  knex: Knex,
  kafka: KafkaClient,
  schema: string,
  topics: ProjectedTopics,
  migrations: string[],
): Promise<void> {
  const q = quoteIdentifier(schema);
  const found = await knex.raw(`select to_regclass(?) as t`, [`${q}.mikro_orm_migrations`]);
  if (!found.rows[0].t) throw new Error(`schema "${schema}" has no Tasklog tables (TASKLOG_DB_SCHEMA wrong, or run \`tasklog migrate\`)`);
  const applied = new Set((await knex.raw(`select name from ${q}.mikro_orm_migrations`)).rows.map((r: { name: string }) => r.name));
  const pending = migrations.filter((m) => !applied.has(m));
  if (pending.length) throw new Error(`schema "${schema}" has pending migrations (${pending.join(', ')}): run \`tasklog migrate\` first`);
  const names = [...topics.lanes, topics.events];
  const existing = new Set(await kafka.listTopics());
  const missing = names.filter((t) => !existing.has(t));
  if (missing.length) throw new Error(`topic(s) ${missing.join(', ')} not found (TASKLOG_TOPIC_PREFIX wrong?)`);
  const foreign = await knex.raw(
    `select distinct topic from ${q}.projection_checkpoints where projection = ? and topic <> all(?::text[])`,
    [PROJECTION, names],
  );
  if (foreign.rows.length) {
    throw new Error(
      `schema "${schema}" projects other topics (${foreign.rows.map((r: { topic: string }) => r.topic).join(', ')}): TASKLOG_TOPIC_PREFIX wrong?`,
    );
  }
}

/** A switch moves the live tables: only their owner may (and the new ones get the runner's grants). */
export async function checkOwner(knex: Knex, schema: string): Promise<void> {
  const owned = await knex.raw(
    `select bool_and(tableowner = current_user) as ok from pg_tables where schemaname = ? and tablename = any(?::text[])`,
    [schema, OWNED],
  );
  if (owned.rows[0].ok === false)
    throw new Error(`the projected tables of "${schema}" belong to another role: run the rebuild as their owner`);
}
