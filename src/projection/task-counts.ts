import { Knex } from '@mikro-orm/knex';

/** The fields of a task that place it in task_counts. */
export interface CountedTask {
  tenantId: string;
  type: string;
  status: string;
  priority: number;
}

/**
 * Changes to task_counts gathered over one transaction, written in one upsert. Keys are written
 * in key order (sorted in SQL) so two transactions touching the same counters never deadlock; callers take
 * their task row locks before this, so the counter rows are held only at the end.
 */
export class CountDeltas {
  private readonly deltas = new Map<string, { task: CountedTask; n: number }>();

  add(task: CountedTask | null | undefined, n = 1): void {
    if (!task) return;
    const key = JSON.stringify([task.tenantId, task.type, task.status, task.priority]);
    const entry = this.deltas.get(key) ?? { task, n: 0 };
    entry.n += n;
    this.deltas.set(key, entry);
  }

  remove(task: CountedTask | null | undefined): void {
    this.add(task, -1);
  }

  /** A task moving from one place to another (either side may be absent). */
  move(before: CountedTask | null | undefined, after: CountedTask | null | undefined): void {
    this.remove(before);
    this.add(after);
  }

  rows(): { tenant_id: string; type: string; status: string; priority: number; n: number }[] {
    return [...this.deltas.entries()]
      .filter(([, d]) => d.n !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, { task, n }]) => ({ tenant_id: task.tenantId, type: task.type, status: task.status, priority: task.priority, n }));
  }

  async apply(trx: Knex | Knex.Transaction): Promise<void> {
    const rows = this.rows();
    if (rows.length === 0) return;
    await trx.raw(
      `insert into task_counts (tenant_id, type, status, priority, n)
       select tenant_id, type, status, priority, n from jsonb_to_recordset(?::jsonb) as x(tenant_id text, type text, status text, priority smallint, n bigint)
       order by tenant_id, type, status, priority
       on conflict (tenant_id, type, status, priority) do update set n = task_counts.n + excluded.n`,
      [JSON.stringify(rows)],
    );
  }
}

/** A task_counts placement from a raw tasks row (snake_case columns). */
export function countedRow(r: Record<string, unknown>): CountedTask {
  return { tenantId: String(r.tenant_id), type: String(r.type), status: String(r.status), priority: Number(r.priority) };
}
