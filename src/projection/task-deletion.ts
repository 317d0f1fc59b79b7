import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { TERMINAL_STATUSES } from '../domain';
import { CountDeltas, countedRow } from './task-counts';

const COUNTED = 'id, tenant_id, type, status, priority, created_at';

export type DeleteOutcome = 'deleted' | 'unfinished' | 'absent';

/**
 * Removes finished tasks from the read model: the task row and its history rows, in one
 * transaction (the events stay in Kafka), leaving a tombstone in task_deletions. The task row goes first, so a projector batch
 * holding the row finishes before it (its history rows are then visible to the second
 * statement), and a later event finds no row and is dropped (see ProjectionStore).
 */
export class TaskDeletion {
  constructor(private readonly orm: MikroORM) {}

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  /** Deletes one tenant's finished task; says why not otherwise. */
  async deleteFinished(tenantId: string, id: string): Promise<DeleteOutcome> {
    return this.knex.transaction(async (trx) => {
      await pauseable(trx);
      const gone = await trx.raw(`delete from tasks where id = ? and tenant_id = ? and status = any(?::text[]) returning ${COUNTED}`, [
        id,
        tenantId,
        [...TERMINAL_STATUSES],
      ]);
      if (gone.rowCount > 0) {
        await trx.raw(`delete from task_events where task_id = ?`, [id]);
        await uncount(trx, gone.rows);
        await entomb(trx, gone.rows);
        return 'deleted';
      }
      const left = await trx.raw(`select 1 from tasks where id = ? and tenant_id = ?`, [id, tenantId]);
      return left.rowCount > 0 ? 'unfinished' : 'absent';
    });
  }

  /**
   * One retention batch: up to `limit` tasks finished before `cutoff` and their history rows.
   * SKIP LOCKED leaves rows the projector holds for a later batch instead of waiting on them,
   * and a batch is one short transaction, so no lock is held for long.
   */
  async purgeFinishedBefore(cutoff: Date, limit: number): Promise<{ tasks: number; events: number }> {
    return this.knex.transaction(async (trx) => {
      await pauseable(trx);
      const gone = await trx.raw(
        `delete from tasks where id in (
           select id from tasks where status = any(?::text[]) and finished_at < ? order by finished_at limit ? for update skip locked)
         returning ${COUNTED}`,
        [[...TERMINAL_STATUSES], cutoff, limit],
      );
      const ids = gone.rows.map((r: { id: string }) => r.id);
      if (ids.length === 0) return { tasks: 0, events: 0 };
      const events = await trx.raw(`delete from task_events where task_id = any(?::uuid[])`, [ids]);
      await uncount(trx, gone.rows);
      await entomb(trx, gone.rows);
      return { tasks: ids.length, events: events.rowCount ?? 0 };
    });
  }
  /** One batch of tombstones of tasks deleted before `cutoff` (their events have left Kafka); returns how many. */
  async purgeTombstonesBefore(cutoff: Date, limit: number): Promise<number> {
    const gone = await this.knex.raw(
      `delete from task_deletions where id in (select id from task_deletions where deleted_at < ? order by deleted_at limit ?)`,
      [cutoff, limit],
    );
    return gone.rowCount ?? 0;
  }
}

/**
 * Takes the tombstones' lock before any task row: a projection rebuild pauses deletions by
 * locking that table (whilePaused), and a deletion waiting there holds nothing the rebuild's
 * table swap would need.
 */
function pauseable(trx: Knex.Transaction): Promise<unknown> {
  return trx.raw(`lock table task_deletions in row exclusive mode`);
}

/** Remembers the deleted tasks, so a projection rebuilt from Kafka leaves them out too (ADR 0015). */
async function entomb(trx: Knex.Transaction, rows: Record<string, unknown>[]): Promise<void> {
  await trx.raw(
    `insert into task_deletions (id, tenant_id, created_at) select id, tenant_id, created_at from jsonb_to_recordset(?::jsonb) as x(id uuid, tenant_id text, created_at timestamptz)
     on conflict (id) do update set created_at = excluded.created_at, deleted_at = now(), tx = pg_current_xact_id()`,
    [JSON.stringify(rows.map((r) => ({ id: r.id, tenant_id: r.tenant_id, created_at: r.created_at })))],
  );
}

function uncount(trx: Knex.Transaction, rows: Record<string, unknown>[]): Promise<void> {
  const counts = new CountDeltas();
  for (const row of rows) counts.remove(countedRow(row));
  return counts.apply(trx);
}
