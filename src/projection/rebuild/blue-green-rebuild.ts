import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { JsonLogger } from '../../common/logger';
import { KafkaClient, topicsFor } from '../../kafka';
import { createOrm, migrate } from '../orm.factory';
import { quoteIdentifier } from '../sql-identifier';
import { MIGRATIONS } from '../../../migrations';
import { checkLive, checkOwner, isLockContention, liveOffsets, swapTables, whilePaused } from './live-projection';
import {
  differingRows,
  PROJECTED_TABLES,
  ProjectedTable,
  projectionChecksum,
  ProjectionChecksum,
  sameChecksum,
} from './projection-checksum';
import { Offsets, ShadowProjection, Targets } from './shadow-projection';

/** `switch` rebuilds and switches reads when the checksums agree; `dry-run` and `verify` only report. */
export type RebuildMode = 'switch' | 'dry-run' | 'verify';

export interface RebuildOptions {
  kafka: KafkaClient;
  databaseUrl: string;
  /** The live schema (TASKLOG_DB_SCHEMA). */
  schema: string;
  topicPrefix: string;
  logger: JsonLogger;
  mode: RebuildMode;
  /** Keep the rebuilt schema after a dry run or verify, to look at it. */
  keepShadow?: boolean;
  /** Catch-up passes stop chasing the live projection once one reads fewer records than this. */
  settleRecords?: number;
  onProgress?: (progress: { phase: 'catch-up' | 'verify' | 'switch'; read: number; total: number }) => void;
}

export interface RebuildReport {
  mode: RebuildMode;
  liveSchema: string;
  shadowSchema: string;
  /** Where the replaced tables went (a switch keeps them for a rollback; drop the schema when done). */
  retiredSchema: string | null;
  /** The offsets both checksums were taken at: topic → partition → next offset. */
  verifiedAt: Record<string, Record<number, number>>;
  live: ProjectionChecksum;
  rebuilt: ProjectionChecksum;
  equal: boolean;
  /** A few keys of differing rows per table (read after the fact, so a sample). */
  differing: Partial<Record<ProjectedTable, string[]>>;
  switched: boolean;
  /** Records read from Kafka and the rebuild's speed over its whole run. */
  records: number;
  ms: number;
  recordsPerSecond: number;
  /** How long a switch held the live projection still (its writes waited; reads went on); 0 otherwise. */
  pausedMs: number;
}

const stamp = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const SHADOW_SUFFIX = '_rebuild';
/** More than this left to project when the switch pauses the live projection: chase again first. */
const PAUSE_TAIL_LIMIT = 20_000;
const SWITCH_ATTEMPTS = 5;

class TailTooLong extends Error {}

/**
 * Blue/green projection rebuild (ADR 0015): projects the topics from their start into a new
 * schema while the live projection keeps serving and catches up with it. The checksums are taken
 * at the same offsets without pausing anything: a repeatable-read snapshot of the live schema
 * names its checkpoints and tombstones, the new schema is projected to exactly those, and the
 * live checksum is read in that snapshot. Mode `switch` (when they agree) then pauses the live
 * projection briefly, projects the tail and moves the new tables in place of the old ones.
 */
export async function rebuildProjection(o: RebuildOptions): Promise<RebuildReport> {
  const began = Date.now();
  if (o.schema.length > 63 - `_old_${stamp()}`.length) throw new Error(`schema name "${o.schema}" is too long to rebuild beside (max 44)`);
  const topics = topicsFor(o.topicPrefix);
  const projected = { events: topics.events, lanes: Object.values(topics.commands) };
  const shadowSchema = `${o.schema}${SHADOW_SUFFIX}`;
  const progress = o.onProgress ?? (() => undefined);
  const live = await createOrm({ databaseUrl: o.databaseUrl, schema: o.schema, poolMax: 5 });
  const liveKnex = live.em.getConnection().getKnex();
  // One rebuild or verify per schema at a time: held for the whole run, released by any ending.
  const guard = await liveKnex.transaction();
  let shadowOrm: MikroORM | null = null;
  let keep = o.keepShadow ?? false;
  let switched = false;
  try {
    const locked = await guard.raw(`select pg_try_advisory_xact_lock(hashtextextended(?, 15)) as ok`, [`tasklog-rebuild:${o.schema}`]);
    if (!locked.rows[0].ok) throw new Error(`another projection rebuild or verify is running on schema "${o.schema}"`);
    await checkLive(
      liveKnex,
      o.kafka,
      o.schema,
      projected,
      MIGRATIONS.map((m) => m.name),
    );
    await dropSchema(liveKnex, shadowSchema);
    shadowOrm = await createOrm({ databaseUrl: o.databaseUrl, schema: shadowSchema, poolMax: 3 });
    await migrate(shadowOrm);
    const shadow = new ShadowProjection(o.kafka, shadowOrm, projected, o.schema, o.logger);
    let read = 0;
    const catchUp = async (phase: 'catch-up' | 'verify' | 'switch', targets: Targets) => {
      const total = read + (await shadow.remaining(targets));
      return shadow.catchUp(targets, (n) => progress({ phase, read: (read += n), total }));
    };
    const chase = async () => {
      for (let pass = 0; pass < 10; pass++) {
        if ((await catchUp('catch-up', await liveOffsets(liveKnex, o.kafka, projected))) < (o.settleRecords ?? 5000)) return;
      }
    };

    // 1. Chase the live projection while it keeps going.
    await chase();

    // 2. Both checksums at the same offsets, from a snapshot of the live schema (nothing pauses).
    const snapshot = await liveKnex.transaction();
    let verified: Targets;
    let snap: string;
    let liveSum: ProjectionChecksum;
    let shadowSum: ProjectionChecksum;
    const differing: RebuildReport['differing'] = {};
    try {
      await snapshot.raw('set transaction isolation level repeatable read');
      snap = String((await snapshot.raw('select pg_current_snapshot()::text as s')).rows[0].s);
      verified = await liveOffsets(snapshot, o.kafka, projected);
      await catchUp('verify', verified);
      await shadow.bury({ snapshot: snap });
      [liveSum, shadowSum] = await Promise.all([
        projectionChecksum(snapshot, o.schema),
        projectionChecksum(shadowOrm.em.getConnection().getKnex(), shadowSchema),
      ]);
      for (const table of PROJECTED_TABLES) {
        if (liveSum[table].sum !== shadowSum[table].sum) differing[table] = await differingRows(snapshot, table, o.schema, shadowSchema);
      }
    } finally {
      await snapshot.rollback().catch(() => undefined);
    }
    const equal = sameChecksum(liveSum, shadowSum);

    // 3. Switch: pause, project the tail and the deletions since the snapshot, swap the tables.
    let retiredSchema: string | null = null;
    let pausedMs = 0;
    if (equal && o.mode === 'switch') {
      const retired = `${o.schema}_old_${stamp()}`;
      for (let attempt = 1; !switched; attempt++) {
        try {
          const pause = await whilePaused(liveKnex, async (trx) => {
            const targets = await liveOffsets(trx, o.kafka, projected);
            if ((await shadow.remaining(targets)) > PAUSE_TAIL_LIMIT) throw new TailTooLong();
            await catchUp('switch', targets);
            await shadow.bury({ after: snap });
            await swapTables(trx, o.schema, shadowSchema, retired);
          });
          pausedMs += pause.pausedMs;
          switched = true;
        } catch (e) {
          const again = e instanceof TailTooLong || isLockContention(e);
          if (!again || attempt >= SWITCH_ATTEMPTS) {
            keep = true;
            throw new Error(`could not switch (${(e as Error).message}); the rebuilt tables are kept in schema "${shadowSchema}"`);
          }
          o.logger.write('warn', 'switch postponed; catching up again', { attempt, reason: (e as Error).message });
          await chase();
        }
      }
      retiredSchema = retired;
    }
    const ms = Date.now() - began;
    return {
      mode: o.mode,
      liveSchema: o.schema,
      shadowSchema,
      retiredSchema,
      verifiedAt: plain(verified.end),
      live: liveSum,
      rebuilt: shadowSum,
      equal,
      differing,
      switched,
      records: read,
      ms,
      recordsPerSecond: Math.round(read / Math.max(0.001, ms / 1000)),
      pausedMs,
    };
  } finally {
    await shadowOrm?.close();
    // After a switch only the shadow's unused tables (keys, schedules, ...) are left in it.
    if (switched || !keep) await dropSchema(liveKnex, shadowSchema);
    await guard.rollback().catch(() => undefined);
    await live.close();
  }
}

function dropSchema(knex: Knex, schema: string): Promise<unknown> {
  return knex.raw(`drop schema if exists ${quoteIdentifier(schema)} cascade`).catch(() => undefined);
}

function plain(offsets: Offsets): Record<string, Record<number, number>> {
  return Object.fromEntries([...offsets].map(([topic, ps]) => [topic, Object.fromEntries(ps)]));
}
