import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';

/** A task not started that must end now instead, read from the projection. */
export interface SweptTask {
  id: string;
  tenantId: string;
  /** The attempt that will not start: the projected one + 1. */
  attempt: number;
  end: { kind: 'expired'; expiresAt: string } | { kind: 'cancelled'; reason: string };
  /** The task's trace (its row's traceparent), on the ending event's headers. */
  traceparent?: string | null;
}

/**
 * Tasks to end instead of starting, oldest deadline first: not started and past `expires_at`
 * (served by tasks_expiry_idx), and retries whose cancel was requested while their last attempt
 * ran (the worker finished it with a failure before the cancel reached it).
 */
export async function findTasksToSweep(orm: MikroORM, limit: number): Promise<SweptTask[]> {
  const knex: Knex = orm.em.getConnection().getKnex();
  const expired = await knex.raw(
    `select id, tenant_id, attempt, expires_at, traceparent from tasks
      where status in ('scheduled', 'queued', 'retrying') and expires_at is not null and expires_at <= now()
      order by expires_at limit ?`,
    [limit],
  );
  const cancelled = await knex.raw(
    `select t.id, t.tenant_id, t.attempt, t.traceparent,
            (select e.data->>'reason' from task_events e
              where e.task_id = t.id and e.type = 'task.cancel-requested' order by e.at desc limit 1) as reason
       from tasks t where t.status = 'retrying' and t.cancel_requested_at is not null limit ?`,
    [limit],
  );
  const base = (r: Record<string, unknown>) => ({
    id: String(r.id),
    tenantId: String(r.tenant_id),
    attempt: Number(r.attempt) + 1,
    traceparent: (r.traceparent as string | null) ?? null,
  });
  return [
    ...expired.rows.map((r: Record<string, unknown>) => ({
      ...base(r),
      end: { kind: 'expired' as const, expiresAt: new Date(r.expires_at as string).toISOString() },
    })),
    ...cancelled.rows.map((r: Record<string, unknown>) => ({
      ...base(r),
      end: { kind: 'cancelled' as const, reason: (r.reason as string | null) || 'cancelled' },
    })),
  ];
}
