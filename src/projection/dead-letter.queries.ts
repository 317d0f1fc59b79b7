import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';

export interface DeadLetterListFilter {
  tenantId: string;
  /** Also list letters that name no tenant (poison nobody can be told about otherwise). */
  withUntenanted: boolean;
  taskId?: string;
  kind?: string;
  limit: number;
  /** Id of the last letter of the previous page. */
  after?: DeadLetterId;
}

/** A letter's id is its position on the DLQ topic: stable, and the same after a replay. */
export interface DeadLetterId {
  partition: number;
  offset: string;
}

export interface DeadLetter {
  id: string;
  kind: string;
  reason: string;
  taskId: string | null;
  tenantId: string | null;
  attempt: number | null;
  source: { topic: string | null; partition: number | null; offset: string | null };
  failedAt: string;
  truncated: boolean;
  originalBytes: number;
  value: unknown;
  valueFormat: 'json' | 'text';
}

const ID = /^(\d{1,9})-(\d{1,18})$/;

export function formatDeadLetterId(id: DeadLetterId): string {
  return `${id.partition}-${id.offset}`;
}

export function parseDeadLetterId(s: string): DeadLetterId | null {
  const m = ID.exec(s);
  return m ? { partition: Number(m[1]), offset: m[2] } : null;
}

/** Reads of the dead-letter table, always scoped to one tenant. */
export class DeadLetterQueries {
  constructor(private readonly orm: MikroORM) {}

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  /** Newest first by failure time; ties (same millisecond) ordered by DLQ position, so pages neither skip nor repeat. */
  async list(f: DeadLetterListFilter): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
    const tenant = f.withUntenanted ? '(tenant_id = ? or tenant_id is null)' : 'tenant_id = ?';
    const where: string[] = [tenant];
    const params: Knex.RawBinding[] = [f.tenantId];
    if (f.taskId) {
      where.push('task_id = ?');
      params.push(f.taskId);
    }
    if (f.kind) {
      where.push('kind = ?');
      params.push(f.kind);
    }
    if (f.after) {
      // A cursor that is not one of the tenant's letters yields an empty page (the subquery is null).
      where.push(
        `(failed_at, dlq_partition, dlq_offset) < (select failed_at, dlq_partition, dlq_offset from dead_letters where dlq_partition = ? and dlq_offset = ? and ${tenant})`,
      );
      params.push(f.after.partition, f.after.offset, f.tenantId);
    }
    params.push(f.limit + 1);
    const res = await this.knex.raw(
      `select * from dead_letters where ${where.join(' and ')} order by failed_at desc, dlq_partition desc, dlq_offset desc limit ?`,
      params,
    );
    const items = res.rows.slice(0, f.limit).map(toDeadLetter);
    const nextCursor = res.rows.length > f.limit ? items[items.length - 1].id : null;
    return { items, nextCursor };
  }
}

function toDeadLetter(r: Record<string, unknown>): DeadLetter {
  const isText = r.value_text !== null;
  return {
    id: formatDeadLetterId({ partition: Number(r.dlq_partition), offset: String(r.dlq_offset) }),
    kind: String(r.kind),
    reason: String(r.reason),
    taskId: r.task_id === null ? null : String(r.task_id),
    tenantId: r.tenant_id === null ? null : String(r.tenant_id),
    attempt: r.attempt === null ? null : Number(r.attempt),
    source: {
      topic: r.source_topic === null ? null : String(r.source_topic),
      partition: r.source_partition === null ? null : Number(r.source_partition),
      offset: r.source_offset === null ? null : String(r.source_offset),
    },
    failedAt: new Date(r.failed_at as string | Date).toISOString(),
    truncated: Boolean(r.truncated),
    originalBytes: Number(r.original_bytes),
    value: isText ? r.value_text : r.value_json,
    valueFormat: isText ? 'text' : 'json',
  };
}
