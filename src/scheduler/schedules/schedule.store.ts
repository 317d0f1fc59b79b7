import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { uuidv7 } from '../../common/ids';
import { ScheduleDefinition } from './schedule-definition';

/** A schedule as stored, with its last run's task (joined from the read model). */
export interface StoredSchedule {
  id: string;
  tenantId: string;
  name: string;
  cron: string;
  timezone: string;
  taskType: string;
  payload: unknown;
  taskOptions: Record<string, unknown>;
  graceMs: number;
  catchUp: 'skip' | 'one' | 'all';
  overlap: 'allow' | 'skip' | 'queue';
  source: 'code' | 'api';
  paused: boolean;
  nextFireAt: Date | null;
  lastFireAt: Date | null;
  lastTaskId: string | null;
  lastTaskStatus: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const SELECT = `select s.*, t.status as last_task_status from schedules s left join tasks t on t.id = s.last_task_id`;

/** The schedules table through plain SQL (the entity and migration define it). */
export class ScheduleStore {
  constructor(private readonly orm: MikroORM) {}

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  /** Creates or (same tenant and name) replaces a definition; a changed cron restarts the cursor at `nextFireAt`. */
  async upsert(tenantId: string, def: ScheduleDefinition, source: 'code' | 'api', nextFireAt: Date): Promise<StoredSchedule> {
    const res = await this.knex.raw(
      `insert into schedules (id, tenant_id, name, task_type, cron, timezone, payload, task_options, grace_ms, catch_up, overlap, source, paused, next_fire_at, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, false, ?, now(), now())
       on conflict (tenant_id, name) do update set task_type = excluded.task_type, payload = excluded.payload, task_options = excluded.task_options,
         grace_ms = excluded.grace_ms, catch_up = excluded.catch_up, overlap = excluded.overlap, source = excluded.source,
         next_fire_at = case when schedules.cron = excluded.cron and schedules.timezone = excluded.timezone then schedules.next_fire_at else excluded.next_fire_at end,
         cron = excluded.cron, timezone = excluded.timezone, updated_at = now()
       returning id`,
      [
        uuidv7(),
        tenantId,
        def.name,
        def.task.type,
        def.cron,
        def.timezone,
        JSON.stringify(def.task.payload ?? null),
        JSON.stringify(def.task.options ?? {}),
        def.misfire.graceMs,
        def.misfire.catchUp,
        def.overlap,
        source,
        nextFireAt,
      ],
    );
    return (await this.get(tenantId, String(res.rows[0].id)))!;
  }

  async get(tenantId: string, id: string): Promise<StoredSchedule | null> {
    const res = await this.knex.raw(`${SELECT} where s.tenant_id = ? and s.id = ?`, [tenantId, id]);
    return res.rows.length ? toSchedule(res.rows[0]) : null;
  }

  async list(tenantId: string): Promise<StoredSchedule[]> {
    const res = await this.knex.raw(`${SELECT} where s.tenant_id = ? order by s.name`, [tenantId]);
    return res.rows.map(toSchedule);
  }

  /** Active schedules with a fire at or before `now`, for the leader. */
  async due(now: Date, limit: number): Promise<StoredSchedule[]> {
    const res = await this.knex.raw(`${SELECT} where not s.paused and s.next_fire_at <= ? order by s.next_fire_at limit ?`, [now, limit]);
    return res.rows.map(toSchedule);
  }

  /** Pausing keeps the cursor; resuming moves it to `nextFireAt`, so a pause is not a backlog. */
  async setPaused(tenantId: string, id: string, paused: boolean, nextFireAt: Date): Promise<boolean> {
    const res = await this.knex.raw(
      `update schedules set paused = ?, next_fire_at = case when ? then next_fire_at else ? end, updated_at = now() where tenant_id = ? and id = ?`,
      [paused, paused, nextFireAt, tenantId, id],
    );
    return res.rowCount > 0;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const res = await this.knex.raw(`delete from schedules where tenant_id = ? and id = ?`, [tenantId, id]);
    return res.rowCount > 0;
  }

  /**
   * Moves the cursor from `from` to `to` (compare-and-set: a leader that lost a race changes
   * nothing) and records the last fired task when there was one.
   */
  async advance(id: string, from: Date, to: Date, last?: { fireAt: Date; taskId: string }): Promise<boolean> {
    const res = await this.knex.raw(
      `update schedules set next_fire_at = ?, last_fire_at = coalesce(?, last_fire_at), last_task_id = coalesce(?::uuid, last_task_id), updated_at = now()
       where id = ? and next_fire_at = ?`,
      [to, last?.fireAt ?? null, last?.taskId ?? null, id, from],
    );
    return res.rowCount > 0;
  }

  /** Records a fire made outside the cron loop (trigger, backfill) as the last run, when it is the latest. */
  async recordRun(id: string, fireAt: Date, taskId: string): Promise<void> {
    await this.knex.raw(
      `update schedules set last_fire_at = ?, last_task_id = ?, updated_at = now() where id = ? and (last_fire_at is null or last_fire_at <= ?)`,
      [fireAt, taskId, id, fireAt],
    );
  }
}

function toSchedule(r: Record<string, any>): StoredSchedule {
  return {
    id: String(r.id),
    tenantId: r.tenant_id,
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    taskType: r.task_type,
    payload: r.payload,
    taskOptions: r.task_options ?? {},
    graceMs: Number(r.grace_ms),
    catchUp: r.catch_up,
    overlap: r.overlap,
    source: r.source,
    paused: r.paused,
    nextFireAt: r.next_fire_at ? new Date(r.next_fire_at) : null,
    lastFireAt: r.last_fire_at ? new Date(r.last_fire_at) : null,
    lastTaskId: r.last_task_id ? String(r.last_task_id) : null,
    lastTaskStatus: r.last_task_status ?? null,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}
