import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { ProjectedTask, recordToProjectedTask } from './task-row.mapper';

export interface HistoryEntry {
  id: string;
  type: string;
  at: string;
  attempt: number;
  data: unknown;
  partition: number;
  offset: string;
}

/** Reads of the projection, always scoped to one tenant (the search is TaskSearch). */
export class TaskQueries {
  constructor(private readonly orm: MikroORM) {}

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  async get(tenantId: string, id: string): Promise<ProjectedTask | null> {
    const res = await this.knex.raw(`select * from tasks where id = ? and tenant_id = ?`, [id, tenantId]);
    return res.rows.length ? recordToProjectedTask(res.rows[0]) : null;
  }

  /** The attempt budget the task was enqueued with (its `task.enqueued` event). */
  async enqueuedMaxAttempts(tenantId: string, taskId: string): Promise<number | null> {
    const res = await this.knex.raw(
      `select (data->>'maxAttempts')::int as n from task_events where task_id = ? and tenant_id = ? and type = 'task.enqueued' limit 1`,
      [taskId, tenantId],
    );
    return res.rows.length ? Number(res.rows[0].n) : null;
  }

  async history(tenantId: string, taskId: string): Promise<HistoryEntry[]> {
    const res = await this.knex.raw(
      `select event_id, type, at, attempt, data, partition, "offset" from task_events where task_id = ? and tenant_id = ? order by "offset", at`,
      [taskId, tenantId],
    );
    return res.rows.map((r: Record<string, unknown>) => ({
      id: String(r.event_id),
      type: String(r.type),
      at: new Date(r.at as string | Date).toISOString(),
      attempt: Number(r.attempt),
      data: r.data,
      partition: Number(r.partition),
      offset: String(r.offset),
    }));
  }

  /**
   * Running tasks whose worker is not among the live ones and that have not changed for
   * `windowMs`: their worker vanished and nobody has picked them up yet.
   */
  async stalled(tenantId: string, liveWorkers: string[], windowMs: number): Promise<{ count: number; taskIds: string[] }> {
    const res = await this.knex.raw(
      `select id from tasks where tenant_id = ? and status = 'running' and not (worker_id = any(?::text[]))
         and updated_at < now() - (? * interval '1 millisecond') order by updated_at limit 101`,
      [tenantId, liveWorkers, windowMs],
    );
    const ids = res.rows.map((r: { id: string }) => String(r.id));
    return { count: ids.length, taskIds: ids.slice(0, 20) };
  }
}
