import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { TaskEvent } from '../events';
import { evolve, TaskState } from '../domain';
import { toStorableText } from '../common/storable';
import { CountDeltas, countedRow } from './task-counts';
import { recordToState, stateToRecord, storableRecord, TASK_COLUMNS } from './task-row.mapper';
import { notifyProjected, streamChannel } from './stream-notify';
import { keepTraceparents } from './task-traceparent';

export interface PositionedEvent {
  event: TaskEvent;
  offset: number;
  /** The record's traceparent header; kept from task.enqueued and task.retry-requested (see keepTraceparents). */
  traceparent?: string;
}

export type TransitionObserver = (before: TaskState | null, after: TaskState, event: TaskEvent) => void;
type Transition = [TaskState | null, TaskState, TaskEvent];

export interface RejectedEvent {
  event: TaskEvent;
  offset: number;
  reason: string;
}

export interface BatchResult {
  applied: number;
  skipped: number;
}

const recordsetType = TASK_COLUMNS.map(([c, t]) => `"${c}" ${t}`).join(', ');
const columnList = TASK_COLUMNS.map(([c]) => `"${c}"`).join(', ');
const updateList = TASK_COLUMNS.filter(([c]) => c !== 'id')
  .map(([c]) => `"${c}" = excluded."${c}"`)
  .concat('"projected_at" = clock_timestamp()')
  .join(', ');

/**
 * The projection's writes. A batch of one partition commits its task rows, its history rows
 * and the partition checkpoint in one Postgres transaction, so each event is applied once.
 */
export class ProjectionStore {
  constructor(
    private readonly orm: MikroORM,
    /** Told of each state change once its transaction has committed (metrics). */
    private readonly observer?: TransitionObserver,
    /** Where deleted tasks are remembered: this schema's own table, or a live schema's for a rebuild. */
    private readonly tombstones = 'task_deletions',
  ) {
    this.channel = streamChannel(orm.config.get('schema') ?? 'public');
  }

  /** Live streams (SSE) of this schema listen here; see notifyProjected. */
  private readonly channel: string;

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  /** Starts a partition's projection over (its topic was recreated: the old offsets mean nothing). */
  async resetCheckpoint(projection: string, topic: string, partition: number): Promise<void> {
    await this.knex.raw(
      `update projection_checkpoints set "offset" = 0, updated_at = now() where projection = ? and topic = ? and partition = ?`,
      [projection, topic, partition],
    );
  }

  async checkpoint(projection: string, topic: string, partition: number): Promise<number | null> {
    const res = await this.knex.raw(`select "offset" from projection_checkpoints where projection = ? and topic = ? and partition = ?`, [
      projection,
      topic,
      partition,
    ]);
    return res.rows.length ? Number(res.rows[0].offset) : null;
  }

  async applyBatch(
    projection: string,
    topic: string,
    partition: number,
    batch: PositionedEvent[],
    nextOffset: number,
    /** False for a lane's preview of an enqueue (ADR 0009): state only; history comes from the events topic. */
    history = true,
  ): Promise<BatchResult> {
    const transitions: Transition[] = [];
    const result = await this.knex.transaction(async (trx) => {
      const from = await this.lockCheckpoint(trx, projection, topic, partition);
      const fresh = batch.filter((b) => b.offset >= from);
      if (fresh.length > 0) await this.applyEvents(trx, partition, fresh, transitions, history);
      await this.advance(trx, projection, topic, partition, nextOffset);
      return { applied: fresh.length, skipped: batch.length - fresh.length };
    });
    if (this.observer) for (const [before, after, event] of transitions) this.observer(before, after, event);
    return result;
  }

  /**
   * Records that the event at `offset` was dead-lettered instead of projected: the task row gets
   * `projection_error` (a task whose `task.enqueued` was refused gets a row built from the event
   * without the values Postgres refused), and the checkpoint moves past it, in one transaction.
   */
  async markRejected(projection: string, topic: string, partition: number, rejected: RejectedEvent): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const from = await this.lockCheckpoint(trx, projection, topic, partition);
      if (rejected.offset < from) return;
      const { event } = rejected;
      const mark = JSON.stringify({
        eventId: event.id,
        eventType: event.type,
        partition,
        offset: rejected.offset,
        reason: toStorableText(rejected.reason, 2000),
        at: new Date().toISOString(),
      });
      const updated = await trx.raw(`update tasks set projection_error = ?::jsonb, projected_at = clock_timestamp() where id = ?`, [
        mark,
        event.taskId,
      ]);
      if (updated.rowCount === 0) {
        const state = evolve(null, event);
        // A savepoint: if even the cleaned row is refused, the checkpoint still moves (the DLQ has the event).
        if (state) await trx.transaction((sp) => this.insertPlaceholder(sp, state, mark)).catch(() => undefined);
      }
      await this.advance(trx, projection, topic, partition, rejected.offset + 1);
    });
  }

  private async insertPlaceholder(trx: Knex.Transaction, state: TaskState, mark: string): Promise<void> {
    const record = storableRecord(stateToRecord(state));
    const inserted = await trx.raw(
      `insert into tasks (${columnList}, "projection_error", "projected_at") select ${columnList}, ?::jsonb, clock_timestamp() from jsonb_to_recordset(?::jsonb) as x(${recordsetType}) on conflict (id) do nothing returning tenant_id, type, status, priority`,
      [mark, JSON.stringify([record])],
    );
    const counts = new CountDeltas();
    for (const row of inserted.rows) counts.add(countedRow(row));
    await counts.apply(trx);
  }

  private async lockCheckpoint(trx: Knex.Transaction, projection: string, topic: string, partition: number): Promise<number> {
    await trx.raw(
      `insert into projection_checkpoints (projection, topic, partition, "offset", updated_at) values (?, ?, ?, 0, now()) on conflict do nothing`,
      [projection, topic, partition],
    );
    const cp = await trx.raw(
      `select "offset" from projection_checkpoints where projection = ? and topic = ? and partition = ? for update`,
      [projection, topic, partition],
    );
    return Number(cp.rows[0].offset);
  }

  private async advance(trx: Knex.Transaction, projection: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    await trx.raw(
      `update projection_checkpoints set "offset" = ?, updated_at = now() where projection = ? and topic = ? and partition = ? and "offset" < ?`,
      [nextOffset, projection, topic, partition, nextOffset],
    );
  }

  private async applyEvents(
    trx: Knex.Transaction,
    partition: number,
    batch: PositionedEvent[],
    transitions: Transition[],
    history: boolean,
  ): Promise<void> {
    const ids = [...new Set(batch.map((b) => b.event.taskId))].sort();
    // A lane's preview and the events topic are read by two consumers (ADR 0009) and can touch
    // the same task in concurrent transactions. A per-task lock, taken in id order (no deadlock),
    // makes the later one see the earlier one's committed row, so the state and task_counts
    // move from what is really there.
    await trx.raw(`select pg_advisory_xact_lock(hashtextextended(id, 7)) from unnest(?::text[]) as id`, [ids]);
    const current = await trx.raw(`select * from tasks where id = any(?::uuid[]) order by id for update`, [ids]);
    const states = new Map<string, TaskState | null>();
    for (const row of current.rows) states.set(String(row.id), recordToState(row));
    const initial = new Map(states);
    const changed = new Set<string>();
    for (const { event } of batch) {
      const before = states.get(event.taskId) ?? null;
      const after = evolve(before, event);
      if (after !== before) {
        states.set(event.taskId, after);
        changed.add(event.taskId);
        if (after) transitions.push([before, after, event]);
      }
    }
    const buried = await this.keepBuried(trx, initial, states, changed);
    if (buried.size > 0) transitions.splice(0, transitions.length, ...transitions.filter(([, , e]) => !buried.has(e.taskId)));
    const counts = new CountDeltas();
    for (const id of changed) counts.move(initial.get(id), states.get(id));
    const records = [...changed].sort().map((id) => stateToRecord(states.get(id)!));
    if (records.length > 0) {
      // A preview only ever creates a row (an existing one was read above and is newer).
      await trx.raw(
        `insert into tasks (${columnList}, "projected_at") select ${columnList}, clock_timestamp() from jsonb_to_recordset(?::jsonb) as x(${recordsetType})
         on conflict (id) do ${history ? `update set ${updateList}` : 'nothing'}`,
        [JSON.stringify(records)],
      );
    }
    await counts.apply(trx);
    if (!history) return;
    await keepTraceparents(trx, batch, states, initial);
    // An event of a task without a row (deleted, or its enqueue never projected) has no task to
    // belong to: it stays in Kafka only, so a deleted task leaves neither a half row nor orphan
    // history. Schedule events are the exception: a skipped fire is history of a task never made.
    const rows = batch
      .filter(({ event }) => states.get(event.taskId) || event.type.startsWith('schedule.'))
      .map(({ event, offset }) => ({
        event_id: event.id,
        task_id: event.taskId,
        tenant_id: event.tenantId,
        type: event.type,
        at: event.at,
        attempt: event.attempt,
        data: event.data,
        partition,
        offset,
      }));
    if (rows.length === 0) return;
    await trx.raw(
      `insert into task_events (event_id, task_id, tenant_id, type, at, attempt, data, partition, "offset")
       select event_id, task_id, tenant_id, type, at, attempt, data, partition, "offset"
       from jsonb_to_recordset(?::jsonb) as x(event_id uuid, task_id uuid, tenant_id text, type text, at timestamptz, attempt int, data jsonb, partition int, "offset" bigint)
       on conflict (event_id) do nothing`,
      [JSON.stringify(rows)],
    );
    await notifyProjected(trx, this.channel, partition, batch[batch.length - 1].offset + 1);
  }

  /**
   * A deleted task stays deleted: a late copy of its enqueue (a lane's preview read after the
   * delete, or the worker's append after a redelivery) would recreate the same incarnation,
   * which its tombstone names by creation time. A task enqueued again with the same id is newer
   * and is created. Only rows this batch would create are looked up.
   */
  private async keepBuried(
    trx: Knex.Transaction,
    initial: Map<string, TaskState | null>,
    states: Map<string, TaskState | null>,
    changed: Set<string>,
  ): Promise<Set<string>> {
    const buried = new Set<string>();
    const created = [...changed].filter((id) => !initial.get(id) && states.get(id));
    if (created.length === 0) return buried;
    const tombs = await trx.raw(`select id, created_at from ${this.tombstones} where id = any(?::uuid[])`, [created]);
    for (const t of tombs.rows) {
      const id = String(t.id);
      if (new Date(states.get(id)!.createdAt).getTime() !== new Date(t.created_at).getTime()) continue;
      states.set(id, null);
      changed.delete(id);
      buried.add(id);
    }
    return buried;
  }
}
