import { textProblem } from '../common/storable';
import { PayloadMatch, TaskSearchFilter, TaskSearchPage } from '../projection/task-search';
import { FIELD_FILTERS, invalidInput, ListQuery } from './request.schemas';

const MAX_FIELD_FILTERS = 20;
const MAX_PATH_DEPTH = 8;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

type Issue = { path: string; message: string };

/**
 * The query of `GET /v1/tasks` and `/v1/tasks/count` as a search: the fixed parameters
 * (ListQuery) plus `payload.<path>=<value>` and `label.<key>=<value>` equality filters.
 * A payload value that reads as a number, boolean or null matches that JSON value or the
 * same text (`payload.accountId=42` finds 42 and "42"). Every problem is one 400 naming it.
 */
export function parseSearchQuery(query: unknown, tenantId: string): { filter: TaskSearchFilter; page: TaskSearchPage } {
  const raw = (query ?? {}) as Record<string, unknown>;
  const fixed: Record<string, unknown> = {};
  const issues: Issue[] = [];
  const payload: PayloadMatch[] = [];
  // No prototype: a label named __proto__ is a label like any other.
  const labels: Record<string, string> = Object.create(null);
  let fields = 0;
  for (const [key, value] of Object.entries(raw)) {
    const prefix = key.startsWith('payload.') ? 'payload.' : key.startsWith('label.') ? 'label.' : null;
    if (!prefix) {
      fixed[key] = value;
      continue;
    }
    if (++fields > MAX_FIELD_FILTERS) {
      issues.push({ path: key, message: `at most ${MAX_FIELD_FILTERS} payload and label filters` });
      continue;
    }
    const problem = fieldProblem(key, value, prefix);
    if (problem) issues.push({ path: key, message: problem });
    else if (prefix === 'label.') labels[key.slice(prefix.length)] = value as string;
    else payload.push({ path: key.slice(prefix.length).split('.'), candidates: candidates(value as string) });
  }
  const parsed = ListQuery.safeParse(fixed);
  if (!parsed.success) issues.push(...parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  if (issues.length || !parsed.success) throw invalidInput('query', issues);
  const q = parsed.data;
  for (const pair of q.label ?? []) {
    const at = pair.indexOf(':');
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    filter: {
      tenantId,
      status: q.status,
      type: q.type,
      labels,
      createdFrom: q.createdFrom,
      createdTo: q.createdTo,
      finishedFrom: q.finishedFrom,
      finishedTo: q.finishedTo,
      payload,
    },
    page: { sort: q.sort, order: q.order, limit: q.limit, cursor: q.cursor },
  };
}

function fieldProblem(key: string, value: unknown, prefix: string): string | null {
  if (typeof value !== 'string') return 'give one value';
  const name = key.slice(prefix.length);
  // A label key is taken whole (it may hold dots); a payload path is split on them.
  const path = prefix === 'label.' ? [name] : name.split('.');
  if (path.some((p) => p === '')) return 'empty name or path segment';
  if (path.length > MAX_PATH_DEPTH) return `at most ${MAX_PATH_DEPTH} levels deep`;
  const parsed = FIELD_FILTERS[prefix === 'label.' ? 'label.<key>' : 'payload.<path>'].safeParse(value);
  return textProblem(key) ?? (parsed.success ? null : parsed.error.issues[0].message);
}

function candidates(value: string): unknown[] {
  if (value === 'true' || value === 'false') return [value === 'true', value];
  if (value === 'null') return [null, value];
  if (NUMBER.test(value) && Number.isFinite(Number(value))) return [Number(value), value];
  return [value];
}
