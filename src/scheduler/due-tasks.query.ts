import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { DueTask } from './due-task';

/**
 * Delayed tasks and retries whose run time has come, oldest first (served by tasks_due_idx).
 * Not those past their deadline, nor a retry whose cancel was requested while it ran: the
 * sweep ends those instead (expiry-sweep.query.ts).
 */
export async function findDueTasks(orm: MikroORM, limit: number): Promise<DueTask[]> {
  const knex: Knex = orm.em.getConnection().getKnex();
  const res = await knex.raw(
    `select id, tenant_id, type, payload, priority, attempt, max_attempts, backoff, timeout_ms, concurrency_key, expires_at, created_at, run_at, traceparent
       from tasks where status in ('scheduled', 'retrying') and run_at <= now()
        and (expires_at is null or expires_at > now()) and cancel_requested_at is null
      order by run_at limit ?`,
    [limit],
  );
  return res.rows.map((r: Record<string, unknown>) => ({
    id: String(r.id),
    tenantId: String(r.tenant_id),
    type: String(r.type),
    payload: r.payload ?? null,
    priority: Number(r.priority),
    attempt: Number(r.attempt) + 1,
    timeoutMs: r.timeout_ms == null ? null : Number(r.timeout_ms),
    maxAttempts: Number(r.max_attempts),
    backoff: (r.backoff as DueTask['backoff']) ?? { type: 'exponential', delayMs: 1000 },
    concurrencyKey: (r.concurrency_key as string | null) ?? null,
    expiresAt: r.expires_at == null ? null : new Date(r.expires_at as string).toISOString(),
    createdAt: new Date(r.created_at as string).toISOString(),
    runAt: new Date(r.run_at as string).toISOString(),
    traceparent: (r.traceparent as string | null) ?? null,
  }));
}
