import { MikroORM } from '@mikro-orm/postgresql';
import { uuidv7 } from '../../src/common/ids';
import { loadDevConfig } from '../../src/config';
import { EventType, makeEvent, TaskEvent } from '../../src/events';
import { createOrm, migrate, ProjectionStore, TaskDeletion } from '../../src/projection';
import { isolation, sql } from '../support/engine';

/** The events of one incarnation of a task, enqueued at `at`, that completed. */
function lifecycle(taskId: string, at: string): TaskEvent[] {
  const scope = { taskId, tenantId: 'acme', attempt: 1 };
  return [
    makeEvent(
      EventType.ENQUEUED,
      { ...scope, attempt: 0 },
      { taskType: 'del.job', payload: {}, priority: 5, maxAttempts: 1, backoff: { type: 'fixed', delayMs: 10 } },
      at,
    ) as TaskEvent,
    makeEvent(EventType.QUEUED, scope, { attempt: 1 }, at) as TaskEvent,
    makeEvent(EventType.STARTED, scope, { workerId: 'w', attempt: 1 }, at) as TaskEvent,
    makeEvent(EventType.COMPLETED, scope, { result: { ok: true }, durationMs: 1 }, at) as TaskEvent,
  ];
}

/** A deleted task stays deleted in the read model; only a new incarnation (same id, enqueued again) comes back. */
describe('deleted tasks and late copies of their events', () => {
  const { schema } = isolation('deleted');
  let orm: MikroORM;
  let store: ProjectionStore;
  let offset = 0;
  const apply = (events: TaskEvent[], history = true) =>
    store.applyBatch(
      'tasks',
      'events',
      0,
      events.map((event) => ({ event, offset: offset++ })),
      offset,
      history,
    );
  const row = async (id: string) =>
    (await sql<{ status: string; created_at: Date }>(schema, `select status, created_at from tasks where id = $1`, [id]))[0];
  const counted = async () =>
    Number((await sql<{ n: string }>(schema, `select coalesce(sum(n), 0) as n from task_counts where tenant_id = 'acme'`))[0].n);

  beforeAll(async () => {
    orm = await createOrm({ databaseUrl: loadDevConfig().databaseUrl, schema });
    await migrate(orm);
    store = new ProjectionStore(orm);
  });
  afterAll(async () => {
    await orm?.em.getConnection().execute(`drop schema if exists "${schema}" cascade`);
    await orm?.close();
  });

  it('a late enqueue copy (lane preview or redelivered append) does not bring a deleted task back; a new enqueue does', async () => {
    const id = uuidv7();
    const first = lifecycle(id, '2026-11-27T01:00:00.000Z');
    await apply(first);
    expect((await row(id)).status).toBe('completed');
    expect(await new TaskDeletion(orm).deleteFinished('acme', id)).toBe('deleted');
    expect(await counted()).toBe(0);

    // A lane's preview of the same enqueue, read late, and the worker's re-append after a redelivery.
    await apply(first.slice(0, 2), false);
    await apply(first.slice(0, 2));
    expect(await row(id)).toBeUndefined();
    expect(await counted()).toBe(0);
    expect(await sql(schema, `select 1 from task_events where task_id = $1`, [id])).toHaveLength(0);

    // Enqueued again with the same id (an idempotency key reused after the delete): a new task.
    await apply(lifecycle(id, '2026-11-27T02:00:00.000Z').slice(0, 2));
    const again = await row(id);
    expect(again.status).toBe('queued');
    expect(again.created_at.toISOString()).toBe('2026-11-27T02:00:00.000Z');
    expect(await counted()).toBe(1);
  });

  it('tombstones older than a finite events retention can be purged, newer ones stay', async () => {
    const old = uuidv7();
    const fresh = uuidv7();
    await sql(
      schema,
      `insert into task_deletions (id, tenant_id, created_at, deleted_at) values ($1, 'acme', now(), now() - interval '40 days'), ($2, 'acme', now(), now())`,
      [old, fresh],
    );
    expect(await new TaskDeletion(orm).purgeTombstonesBefore(new Date(Date.now() - 30 * 86_400_000), 10)).toBe(1);
    const left = await sql<{ id: string }>(schema, `select id from task_deletions where id = any($1::uuid[])`, [[old, fresh]]);
    expect(left.map((r) => r.id)).toEqual([fresh]);
  });
});
