import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { JsonLogger } from '../../common/logger';
import { KafkaClient, readOffsetRanges } from '../../kafka';
import { BatchApplier, DeadLetterSink } from '../batch-applier';
import { ProjectionStore } from '../projection.store';
import { quoteIdentifier } from '../sql-identifier';
import { CountDeltas, countedRow } from '../task-counts';

/** The projection's name in projection_checkpoints (the engine's projector uses the same). */
export const PROJECTION = 'tasks';

/** topic → partition → offset. */
export type Offsets = Map<string, Map<number, number>>;

/** Where to project up to (the live checkpoints), and where each partition's log starts. */
export interface Targets {
  end: Offsets;
  low: Offsets;
}

export interface ProjectedTopics {
  events: string;
  lanes: string[];
}

/** A rebuild never writes the live DLQ: a refused event is marked on its task only (as the live one was). */
const NO_DEAD_LETTERS: DeadLetterSink = { publish: async () => undefined };

/**
 * A second projection of the same topics into another schema, with the engine's own code
 * (BatchApplier, ProjectionStore), read with throw-away consumers that commit nothing. The
 * lanes go first, then the events, as the live projection saw them: a lane's preview only
 * creates rows the events have not, so the result does not depend on how the two interleaved.
 */
export class ShadowProjection {
  private readonly store: ProjectionStore;
  private readonly applier: BatchApplier;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly orm: MikroORM,
    private readonly topics: ProjectedTopics,
    /** The live schema: its tombstones keep deleted tasks from being created here too. */
    private readonly liveSchema: string,
    logger: JsonLogger,
  ) {
    this.store = new ProjectionStore(orm, undefined, `${quoteIdentifier(liveSchema)}.task_deletions`);
    this.applier = new BatchApplier(this.store, NO_DEAD_LETTERS, { projection: PROJECTION, dlqTopic: '', logger });
  }

  get schema(): string {
    return this.orm.config.get('schema') ?? 'public';
  }

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  /** This projection's checkpoints, `topic/partition` → next offset, in one query. */
  private async positions(): Promise<Map<string, number>> {
    const res = await this.knex.raw(`select topic, partition, "offset" from projection_checkpoints where projection = ?`, [PROJECTION]);
    return new Map(
      res.rows.map((r: { topic: string; partition: number; offset: string }) => [`${r.topic}/${r.partition}`, Number(r.offset)]),
    );
  }

  /** Where each partition's projection goes on from: its checkpoint, or the log start. */
  private async starts(targets: Targets): Promise<Offsets> {
    const at = await this.positions();
    const out: Offsets = new Map();
    for (const [topic, end] of targets.end) {
      const low = targets.low.get(topic);
      out.set(topic, new Map([...end.keys()].map((p) => [p, Math.max(at.get(`${topic}/${p}`) ?? 0, low?.get(p) ?? 0)])));
    }
    return out;
  }

  /** Offsets still to project to reach `targets`, summed. */
  async remaining(targets: Targets): Promise<number> {
    let n = 0;
    for (const [topic, starts] of await this.starts(targets)) {
      for (const [partition, start] of starts) n += Math.max(0, targets.end.get(topic)!.get(partition)! - start);
    }
    return n;
  }

  /**
   * Projects each topic's partitions up to (not including) their target offsets and leaves its
   * checkpoints exactly there. Returns the records read; `onRead` hears of each batch.
   */
  async catchUp(targets: Targets, onRead: (records: number) => void = () => undefined): Promise<number> {
    let read = 0;
    const starts = await this.starts(targets);
    for (const topic of [...this.topics.lanes, this.topics.events]) {
      const end = targets.end.get(topic);
      const start = starts.get(topic);
      if (!end || !start) continue;
      const lanes = topic !== this.topics.events;
      const stats = await readOffsetRanges(this.kafka, {
        topic,
        start,
        end,
        // Partitions are independent (their checkpoints and tasks never overlap): project them side by side.
        concurrency: end.size,
        onRecords: async (records) => {
          const { partition } = records[0];
          const next = Number(records[records.length - 1].offset) + 1;
          const args = [topic, partition, records, next, () => true, async () => undefined] as const;
          await (lanes ? this.applier.applyPreview(...args) : this.applier.apply(...args));
          onRead(records.length);
        },
      });
      read += stats.records;
      // Past trailing transaction markers too, so the checkpoints equal the targets.
      for (const [partition, target] of end) await this.store.applyBatch(PROJECTION, topic, partition, [], target, !lanes);
    }
    return read;
  }

  /**
   * Removes the tasks the live read model deleted (task_deletions of the live schema) with their
   * history and counts, as TaskDeletion did there; a tombstone names the incarnation it deleted
   * by creation time. `snapshot` (a pg_snapshot as text) limits it to the tombstones committed in
   * that snapshot; `after` to those committed since. Returns how many tasks were removed here.
   */
  async bury(scope: { snapshot?: string; after?: string } = {}): Promise<number> {
    const tombs = `${quoteIdentifier(this.liveSchema)}.task_deletions`;
    const where = [
      ...(scope.snapshot ? ['and pg_visible_in_snapshot(d.tx, ?::pg_snapshot)'] : []),
      ...(scope.after ? ['and not pg_visible_in_snapshot(d.tx, ?::pg_snapshot)'] : []),
    ].join(' ');
    const params = [scope.snapshot, scope.after].filter((x): x is string => Boolean(x));
    return this.knex.transaction(async (trx) => {
      const gone = await trx.raw(
        `delete from tasks t using ${tombs} d where t.id = d.id and t.created_at = d.created_at ${where}
         returning t.id, t.tenant_id, t.type, t.status, t.priority`,
        params,
      );
      if (gone.rows.length === 0) return 0;
      await trx.raw(`delete from task_events where task_id = any(?::uuid[])`, [gone.rows.map((r: { id: string }) => r.id)]);
      const counts = new CountDeltas();
      for (const row of gone.rows) counts.remove(countedRow(row));
      await counts.apply(trx);
      return gone.rows.length;
    });
  }
}
