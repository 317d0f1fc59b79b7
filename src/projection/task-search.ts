import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { ErrorCode, TasklogError } from '../common/errors';
import { ProjectedTask, recordToProjectedTask } from './task-row.mapper';

export type SortField = 'createdAt' | 'finishedAt';
export type SortOrder = 'asc' | 'desc';

/** One `payload.<path>=<value>` filter: the task's payload holds one of `candidates` at `path`. */
export interface PayloadMatch {
  path: string[];
  /** The value as typed (42, true, null) and as a string; either one matches. */
  candidates: unknown[];
}

/** What `GET /v1/tasks` and `GET /v1/tasks/count` filter on; always one tenant's tasks. */
export interface TaskSearchFilter {
  tenantId: string;
  status?: string[];
  type?: string[];
  /** Every one of these labels (key -> value) must be on the task. */
  labels?: Record<string, string>;
  createdFrom?: string;
  createdTo?: string;
  finishedFrom?: string;
  finishedTo?: string;
  payload?: PayloadMatch[];
}

export interface TaskSearchPage {
  sort: SortField;
  order: SortOrder;
  limit: number;
  cursor?: string;
}

const SORT_COLUMN: Record<SortField, string> = { createdAt: 'created_at', finishedAt: 'finished_at' };

/**
 * The list and count of the task search. Keyset pagination over (sort time, id): a cursor holds
 * the last row's exact time (microseconds, as Postgres keeps it) and id, so rows inserted while
 * someone pages through never make an older row skip or repeat. Sorting by finish time lists
 * finished tasks only. Payload and label equality are jsonb containment (`@>`), served by GIN
 * indexes (jsonb_path_ops).
 */
export class TaskSearch {
  constructor(private readonly orm: MikroORM) {}

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  async list(f: TaskSearchFilter, page: TaskSearchPage): Promise<{ items: ProjectedTask[]; nextCursor: string | null }> {
    const col = SORT_COLUMN[page.sort];
    const { where, params } = whereOf(f);
    if (page.sort === 'finishedAt') where.push('finished_at is not null');
    if (page.cursor) {
      const c = decodeCursor(page.cursor, page);
      where.push(`(${col}, id) ${page.order === 'desc' ? '<' : '>'} (?::timestamptz, ?::uuid)`);
      params.push(c.at, c.id);
    }
    const dir = page.order === 'desc' ? 'desc' : 'asc';
    const res = await this.knex.raw(
      `select *, to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at
         from tasks where ${where.join(' and ')} order by ${col} ${dir}, id ${dir} limit ?`,
      [...params, page.limit + 1],
    );
    const rows = res.rows.slice(0, page.limit) as Record<string, unknown>[];
    const last = rows[rows.length - 1];
    const nextCursor =
      res.rows.length > page.limit ? encodeCursor({ s: page.sort, o: page.order, at: String(last.cursor_at), id: String(last.id) }) : null;
    return { items: rows.map(recordToProjectedTask), nextCursor };
  }

  async count(f: TaskSearchFilter): Promise<number> {
    const { where, params } = whereOf(f);
    const res = await this.knex.raw(`select count(*)::bigint as n from tasks where ${where.join(' and ')}`, params);
    return Number(res.rows[0].n);
  }
}

function whereOf(f: TaskSearchFilter): { where: string[]; params: Knex.RawBinding[] } {
  const where = ['tenant_id = ?'];
  const params: Knex.RawBinding[] = [f.tenantId];
  const add = (sql: string, ...values: Knex.RawBinding[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (f.status?.length) add('status = any(?::text[])', f.status);
  if (f.type?.length) add('type = any(?::text[])', f.type);
  if (f.labels && Object.keys(f.labels).length) add('labels @> ?::jsonb', JSON.stringify(f.labels));
  if (f.createdFrom) add('created_at >= ?::timestamptz', f.createdFrom);
  if (f.createdTo) add('created_at < ?::timestamptz', f.createdTo);
  if (f.finishedFrom) add('finished_at >= ?::timestamptz', f.finishedFrom);
  if (f.finishedTo) add('finished_at < ?::timestamptz', f.finishedTo);
  for (const m of f.payload ?? []) {
    const docs = m.candidates.map((v) => JSON.stringify(nest(m.path, v)));
    add(`(${docs.map(() => 'payload @> ?::jsonb').join(' or ')})`, ...docs);
  }
  return { where, params };
}

/** `['a', 'b'], 1` -> `{ a: { b: 1 } }`. */
function nest(path: string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

interface Cursor {
  s: SortField;
  o: SortOrder;
  at: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.s, c.o, c.at, c.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The cursor's position; 400 for one that is not ours or was made for another sort. */
export function decodeCursor(text: string, page: { sort: SortField; order: SortOrder }): { at: string; id: string } {
  let parsed: string[] = [];
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as string[];
  } catch {
    /* not ours */
  }
  const ok = Array.isArray(parsed) && parsed.length === 4 && STAMP.test(String(parsed[2])) && UUID.test(String(parsed[3]));
  if (!ok) throw badCursor('cursor: not a cursor this API handed out');
  if (parsed[0] !== page.sort || parsed[1] !== page.order) {
    throw badCursor(`cursor: made for sort=${parsed[0]}&order=${parsed[1]}, not sort=${page.sort}&order=${page.order}`);
  }
  return { at: parsed[2], id: parsed[3] };
}

function badCursor(detail: string): TasklogError {
  return new TasklogError(ErrorCode.INVALID_INPUT, `invalid query: ${detail}`, { issues: [{ path: 'cursor', message: detail }] });
}
