import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { StreamCursor } from './stream-cursor';
import { STREAM_COLUMNS, STREAM_FROM, StreamRow } from './stream-message';

/** Which events a stream shows: one tenant's, of one task or of tasks with these types/statuses. */
export interface StreamFilter {
  tenantId: string;
  taskId?: string;
  types?: string[];
  statuses?: string[];
}

/** The reads behind the live streams: positions, and history rows after a position. */
export class StreamQueries {
  constructor(
    private readonly orm: MikroORM,
    /** The projection's checkpoints to read (projection name and events topic). */
    private readonly projection: { name: string; topic: string },
  ) {}

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  /** How far each partition is projected, as "last offset projected" (-1: nothing yet). */
  async projectedUpTo(): Promise<StreamCursor> {
    const res = await this.knex.raw(`select partition, "offset" from projection_checkpoints where projection = ? and topic = ?`, [
      this.projection.name,
      this.projection.topic,
    ]);
    return new Map(res.rows.map((r: { partition: number; offset: string }) => [Number(r.partition), Number(r.offset) - 1]));
  }

  /** Every tenant's rows of one partition after `after`, in offset order (the listener's read). */
  async partitionAfter(partition: number, after: number, limit: number): Promise<StreamRow[]> {
    const res = await this.knex.raw(
      `select ${STREAM_COLUMNS} from ${STREAM_FROM} where e.partition = ? and e."offset" > ? order by e."offset" limit ?`,
      [partition, after, limit],
    );
    return res.rows;
  }

  /** The filter's rows of one partition after `after`, in offset order (a resuming client's read). */
  async matchingAfter(filter: StreamFilter, partition: number, after: number, limit: number): Promise<StreamRow[]> {
    const where = ['e.tenant_id = ?', 'e.partition = ?', 'e."offset" > ?'];
    const params: Knex.RawBinding[] = [filter.tenantId, partition, after];
    if (filter.taskId) {
      where.push('e.task_id = ?');
      params.push(filter.taskId);
    }
    if (filter.types?.length) {
      where.push('t.type = any(?::text[])');
      params.push(filter.types);
    }
    if (filter.statuses?.length) {
      where.push('t.status = any(?::text[])');
      params.push(filter.statuses);
    }
    params.push(limit);
    const res = await this.knex.raw(
      `select ${STREAM_COLUMNS} from ${STREAM_FROM} where ${where.join(' and ')} order by e."offset" limit ?`,
      params,
    );
    return res.rows;
  }

  /** The partitions holding a task's events (one, unless the topic's partitions were changed). */
  async taskPartitions(taskId: string): Promise<number[]> {
    const res = await this.knex.raw(`select distinct partition from task_events where task_id = ?`, [taskId]);
    return res.rows.map((r: { partition: number }) => Number(r.partition));
  }

  /** The task's status, or null when it is not this tenant's (or not projected yet). */
  async taskStatus(tenantId: string, taskId: string): Promise<string | null> {
    const res = await this.knex.raw(`select status from tasks where id = ? and tenant_id = ?`, [taskId, tenantId]);
    return res.rows.length ? String(res.rows[0].status) : null;
  }
}

/** Does a row belong to what the filter shows? (The listener's in-memory fan-out.) */
export function matches(filter: StreamFilter, row: StreamRow): boolean {
  if (row.tenant_id !== filter.tenantId) return false;
  if (filter.taskId && row.task_id !== filter.taskId) return false;
  if (filter.types?.length && !filter.types.includes(row.task_type ?? '')) return false;
  if (filter.statuses?.length && !filter.statuses.includes(row.status ?? '')) return false;
  return true;
}
