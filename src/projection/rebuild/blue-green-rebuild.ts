import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { JsonLogger } from '../../common/logger';
import { KafkaClient, topicsFor } from '../../kafka';
import { createOrm, migrate } from '../orm.factory';
import { quoteIdentifier } from '../sql-identifier';
import { liveOffsets, swapTables, whilePaused } from './live-projection';
import {
  differingRows,
  PROJECTED_TABLES,
  ProjectedTable,
  projectionChecksum,
  ProjectionChecksum,
  sameChecksum,
} from './projection-checksum';
import { Offsets, ShadowProjection } from './shadow-projection';

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
  /** How long the live projection was held still (its writes waited; reads went on). */
  pausedMs: number;
}

const stamp = () => new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const name = (live: string, suffix: string) => `${live.slice(0, 63 - suffix.length)}${suffix}`;

/**
 * Blue/green projection rebuild (ADR 0015): projects the topics from their start into a new
 * schema while the live projection keeps serving, catches up, pauses the live projection for a
 * moment to take both checksums at the same offsets, and (mode `switch`, when they agree) moves
 * the new tables in place of the old ones in one transaction.
 */
export async function rebuildProjection(o: RebuildOptions): Promise<RebuildReport> {
  const began = Date.now();
  const topics = topicsFor(o.topicPrefix);
  const projected = { events: topics.events, lanes: Object.values(topics.commands) };
  const shadowSchema = name(o.schema, '_rebuild');
  const progress = o.onProgress ?? (() => undefined);
  const live = await createOrm({ databaseUrl: o.databaseUrl, schema: o.schema, poolMax: 3 });
  const liveKnex = live.em.getConnection().getKnex();
  let shadowOrm: MikroORM | null = null;
  let switched = false;
  try {
    if ((await live.getMigrator().getPendingMigrations()).length > 0) {
      throw new Error(`schema "${o.schema}" has pending migrations (or does not exist): run \`tasklog migrate\` first`);
    }
    await liveKnex.raw(`drop schema if exists ${quoteIdentifier(shadowSchema)} cascade`);
    shadowOrm = await createOrm({ databaseUrl: o.databaseUrl, schema: shadowSchema, poolMax: 3 });
    await migrate(shadowOrm);
    const shadow = new ShadowProjection(o.kafka, shadowOrm, projected, o.logger);
    let read = 0;
    const catchUp = async (phase: 'catch-up' | 'verify' | 'switch', targets: Offsets) => {
      const total = read + (await shadow.remaining(targets));
      return shadow.catchUp(targets, (n) => progress({ phase, read: (read += n), total }));
    };

    // 1. Chase the live projection while it keeps going.
    for (let pass = 0; pass < 10; pass++) {
      if ((await catchUp('catch-up', await liveOffsets(liveKnex, o.kafka, projected))) < (o.settleRecords ?? 5000)) break;
    }

    // 2. Pause it for the tail, then take a snapshot of it at those offsets, to checksum after resuming.
    const snapshot = await liveKnex.transaction();
    let verified: Offsets;
    let pausedMs: number;
    let liveSum: ProjectionChecksum;
    let shadowSum: ProjectionChecksum;
    try {
      await snapshot.raw('set transaction isolation level repeatable read');
      ({ value: verified, pausedMs } = await whilePaused(liveKnex, async (trx) => {
        const targets = await liveOffsets(trx, o.kafka, projected);
        await catchUp('verify', targets);
        await shadow.bury(o.schema);
        await snapshot.raw('select 1 from projection_checkpoints limit 1');
        return targets;
      }));
      [liveSum, shadowSum] = await Promise.all([
        projectionChecksum(snapshot, o.schema),
        projectionChecksum(shadowOrm.em.getConnection().getKnex(), shadowSchema),
      ]);
    } finally {
      await snapshot.rollback().catch(() => undefined);
    }
    const equal = sameChecksum(liveSum, shadowSum);
    const differing: RebuildReport['differing'] = {};
    for (const table of PROJECTED_TABLES) {
      if (liveSum[table].sum !== shadowSum[table].sum) differing[table] = await differingRows(liveKnex, table, o.schema, shadowSchema);
    }

    // 3. Switch: pause again, project the tail since the checksums, swap the tables.
    let retiredSchema: string | null = null;
    if (equal && o.mode === 'switch') {
      const retired = name(o.schema, `_old_${stamp()}`);
      const second = await whilePaused(liveKnex, async (trx) => {
        await catchUp('switch', await liveOffsets(trx, o.kafka, projected));
        await shadow.bury(o.schema);
        await swapTables(trx, o.schema, shadowSchema, retired);
      });
      pausedMs += second.pausedMs;
      retiredSchema = retired;
      switched = true;
    }
    const ms = Date.now() - began;
    return {
      mode: o.mode,
      liveSchema: o.schema,
      shadowSchema,
      retiredSchema,
      verifiedAt: plain(verified),
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
    if (switched || !o.keepShadow) await dropSchema(liveKnex, shadowSchema);
    await live.close();
  }
}

function dropSchema(knex: Knex, schema: string): Promise<unknown> {
  return knex.raw(`drop schema if exists ${quoteIdentifier(schema)} cascade`).catch(() => undefined);
}

function plain(offsets: Offsets): Record<string, Record<number, number>> {
  return Object.fromEntries([...offsets].map(([topic, ps]) => [topic, Object.fromEntries(ps)]));
}
