import { Knex } from '@mikro-orm/knex';
import { quoteIdentifier } from '../sql-identifier';

/**
 * What a row of each projected table contributes to the checksum: every column but the ones a
 * second projection of the same events cannot reproduce (when the row was written, when a
 * refused event was marked) and the trace a task keeps (observability only, and empty on rows
 * projected before it was kept, where a rebuild fills it in from the record headers). jsonb
 * keys are sorted, so column order does not matter either.
 */
const ROW_TEXT: Record<ProjectedTable, string> = {
  tasks: `(to_jsonb(r) - 'projected_at' - 'traceparent' - 'projection_error' || jsonb_build_object('projection_error', r.projection_error - 'at'))::text`,
  task_events: `to_jsonb(r)::text`,
  task_counts: `to_jsonb(r)::text`,
};
const KEY: Record<ProjectedTable, string> = { tasks: 'id', task_events: 'event_id', task_counts: 'tenant_id, type, status, priority' };
// A counter that went back to zero may be a row or no row, depending on the order of writes.
const WHERE: Record<ProjectedTable, string> = { tasks: 'true', task_events: 'true', task_counts: 'r.n <> 0' };

export const PROJECTED_TABLES = ['tasks', 'task_events', 'task_counts'] as const;
export type ProjectedTable = (typeof PROJECTED_TABLES)[number];

export interface TableChecksum {
  rows: number;
  /** Sum of the rows' 60-bit hashes (order-free), as decimal text. */
  sum: string;
}

export type ProjectionChecksum = Record<ProjectedTable, TableChecksum>;

/** One schema's checksum of the projected tables; cheap on memory (no row is held). */
export async function projectionChecksum(knex: Knex | Knex.Transaction, schema: string): Promise<ProjectionChecksum> {
  const out = {} as ProjectionChecksum;
  for (const table of PROJECTED_TABLES) {
    const res = await knex.raw(
      `select count(*)::bigint as rows, coalesce(sum(('x' || substr(md5(${ROW_TEXT[table]}), 1, 15))::bit(60)::bigint::numeric), 0)::text as sum
       from ${quoteIdentifier(schema)}.${table} r where ${WHERE[table]}`,
    );
    out[table] = { rows: Number(res.rows[0].rows), sum: String(res.rows[0].sum) };
  }
  return out;
}

export function sameChecksum(a: ProjectionChecksum, b: ProjectionChecksum): boolean {
  return PROJECTED_TABLES.every((t) => a[t].rows === b[t].rows && a[t].sum === b[t].sum);
}

/** Up to `limit` keys of rows that differ between two schemas' copies of a table, for the report. */
export async function differingRows(
  knex: Knex | Knex.Transaction,
  table: ProjectedTable,
  a: string,
  b: string,
  limit = 5,
): Promise<string[]> {
  const side = (schema: string) =>
    `(select ${KEY[table]}, md5(${ROW_TEXT[table]}) as h from ${quoteIdentifier(schema)}.${table} r where ${WHERE[table]})`;
  const res = await knex.raw(
    `select concat_ws('/', ${KEY[table]}) as key from ${side(a)} x full join ${side(b)} y using (${KEY[table]})
     where x.h is distinct from y.h order by 1 limit ?`,
    [limit],
  );
  return res.rows.map((r: { key: string }) => r.key);
}
