import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { laneFor } from '../kafka/topics';

export const STATS_WINDOWS = { '5m': 300, '1h': 3600, '24h': 86400 } as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;

export interface TypeWindowStats {
  finished: number;
  completed: number;
  failed: number;
  /** Attempts beyond the first, summed over the tasks that finished in the window. */
  retries: number;
  /** Run time of the last attempt (started -> finished) of completed and failed tasks. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Completed per second over the window. */
  throughputPerSec: number;
}

export type WindowStats = Omit<TypeWindowStats, 'p50Ms' | 'p95Ms'> & {
  successRate: number | null;
  failureRate: number | null;
  byType: Record<string, TypeWindowStats>;
};

export interface LaneDepth {
  /** Queued tasks (run command published, not started) in the lane. */
  depth: number;
  byPriority: Record<string, number>;
}

/**
 * The numbers of `GET /v1/stats` for one tenant: counts and queue depth from task_counts, and
 * the finished-task windows.
 * The windows read only tasks finished in the last 24 hours through tasks_tenant_finished_idx
 * (partial on finished_at, covering type, status, started_at and attempt), so their cost follows
 * a day's volume, not the table's size.
 */
export class TaskStatsQueries {
  constructor(private readonly orm: MikroORM) {}

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  async windows(tenantId: string): Promise<Record<StatsWindow, WindowStats>> {
    const spans = Object.entries(STATS_WINDOWS);
    const res = await this.knex.raw(
      `select w.name, t.type,
              count(*)::int as finished,
              count(*) filter (where t.status = 'completed')::int as completed,
              count(*) filter (where t.status = 'failed')::int as failed,
              coalesce(sum(greatest(t.attempt - 1, 0)), 0)::int as retries,
              percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from t.finished_at - t.started_at) * 1000)
                filter (where t.status in ('completed', 'failed') and t.started_at is not null) as pct
         from tasks t
         join (values ${spans.map(() => '(?, ?::int)').join(', ')}) as w(name, seconds)
           on t.finished_at >= now() - w.seconds * interval '1 second'
        where t.tenant_id = ? and t.finished_at is not null and t.finished_at >= now() - interval '${STATS_WINDOWS['24h']} seconds'
        group by w.name, t.type`,
      [...spans.flat(), tenantId],
    );
    const out = Object.fromEntries(
      spans.map(([name]) => [
        name,
        { finished: 0, completed: 0, failed: 0, retries: 0, throughputPerSec: 0, successRate: null, failureRate: null, byType: {} },
      ]),
    ) as Record<StatsWindow, WindowStats>;
    for (const r of res.rows as {
      name: StatsWindow;
      type: string;
      finished: number;
      completed: number;
      failed: number;
      retries: number;
      pct: number[] | null;
    }[]) {
      const seconds = STATS_WINDOWS[r.name];
      const w = out[r.name];
      w.byType[r.type] = {
        finished: r.finished,
        completed: r.completed,
        failed: r.failed,
        retries: r.retries,
        p50Ms: r.pct?.[0] != null ? Math.round(r.pct[0]) : null,
        p95Ms: r.pct?.[1] != null ? Math.round(r.pct[1]) : null,
        throughputPerSec: round(r.completed / seconds),
      };
      w.finished += r.finished;
      w.completed += r.completed;
      w.failed += r.failed;
      w.retries += r.retries;
    }
    for (const [name, w] of Object.entries(out) as [StatsWindow, WindowStats][]) {
      w.throughputPerSec = round(w.completed / STATS_WINDOWS[name]);
      w.successRate = w.finished ? round(w.completed / w.finished) : null;
      w.failureRate = w.finished ? round(w.failed / w.finished) : null;
    }
    return out;
  }

  /** Tasks by status, and by type then status, from the task_counts tally (a few rows per tenant). */
  async counts(tenantId: string): Promise<{ byStatus: Record<string, number>; byType: Record<string, Record<string, number>> }> {
    const res = await this.knex.raw(
      `select type, status, sum(n)::bigint as n from task_counts where tenant_id = ? and n <> 0 group by type, status`,
      [tenantId],
    );
    const byStatus: Record<string, number> = {};
    const byType: Record<string, Record<string, number>> = {};
    for (const r of res.rows as { type: string; status: string; n: string }[]) {
      const n = Number(r.n);
      byStatus[r.status] = (byStatus[r.status] ?? 0) + n;
      (byType[r.type] ??= {})[r.status] = n;
    }
    return { byStatus, byType };
  }

  /** Queued tasks (run command published, not started) per lane and priority, from task_counts. */
  async laneDepths(tenantId: string): Promise<Record<'high' | 'normal' | 'low', LaneDepth>> {
    const res = await this.knex.raw(
      `select priority, sum(n)::bigint as n from task_counts where tenant_id = ? and status = 'queued' and n <> 0 group by priority`,
      [tenantId],
    );
    const out = { high: empty(), normal: empty(), low: empty() };
    for (const r of res.rows as { priority: number; n: string }[]) {
      const lane = out[laneFor(r.priority)];
      lane.depth += Number(r.n);
      lane.byPriority[String(r.priority)] = Number(r.n);
    }
    return out;
  }
}

function empty(): LaneDepth {
  return { depth: 0, byPriority: {} };
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}
