import { randomUUID } from 'node:crypto';
import { KafkaProbe } from '../support/dlq-reader';
import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

function envelope(taskId: string, tenantId: string, type: string, attempt: number, data: unknown): string {
  return JSON.stringify({ id: randomUUID(), type, v: 1, taskId, tenantId, at: new Date().toISOString(), attempt, data });
}

describe('deleting finished tasks', () => {
  let engine: TestEngine;
  let handlers: TestHandlers;
  let probe: KafkaProbe;
  const acme = { 'x-api-key': 'acme-key' };
  const globex = { 'x-api-key': 'globex-key' };

  beforeAll(async () => {
    engine = await startEngine({
      label: 'retention',
      handlers: [TestHandlers],
      config: { apiKeys: { 'acme-key': 'acme', 'globex-key': 'globex' }, retentionIntervalMs: 200, retentionDays: 30 },
    });
    handlers = engine.app.get(TestHandlers);
    probe = new KafkaProbe(engine.prefix);
    await probe.start();
  });
  afterAll(async () => {
    handlers?.openGate();
    await probe?.stop();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const enqueue = async (json: Record<string, unknown>, headers = acme) => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', headers, json });
    expect(r.status).toBe(202);
    return r.body.id as string;
  };
  const task = (id: string, headers = acme) => http(`${engine.url}/v1/tasks/${id}`, { headers });
  const remove = (id: string, headers = acme) => http(`${engine.url}/v1/tasks/${id}`, { method: 'DELETE', headers });
  const reach = (id: string, status: string, headers = acme) =>
    waitFor(async () => (await task(id, headers)).body.status === status, { what: `task ${id} to be ${status}` });
  const historyRows = async (id: string) =>
    Number((await sql<{ n: string }>(engine.schema, `select count(*) as n from task_events where task_id = $1`, [id]))[0].n);
  const completedCount = async (headers = acme) => (await http(`${engine.url}/v1/stats`, { headers })).body.byStatus.completed ?? 0;

  describe('DELETE /v1/tasks/:id', () => {
    it('deletes a finished task and its history: 204, then 404, and it leaves the counts', async () => {
      const id = await enqueue({ type: 'test.echo', payload: 'bye' });
      await reach(id, 'completed');
      expect(await historyRows(id)).toBeGreaterThan(0);
      const before = await completedCount();

      const r = await remove(id);
      expect(r.status).toBe(204);
      expect((await task(id)).status).toBe(404);
      expect((await http(`${engine.url}/v1/tasks/${id}/events`, { headers: acme })).status).toBe(404);
      expect(await historyRows(id)).toBe(0);
      expect(await completedCount()).toBe(before - 1);
      expect((await remove(id)).status).toBe(404);
    });

    it('refuses to delete a queued or running task with 409', async () => {
      handlers.closeGate();
      const running = await enqueue({ type: 'test.gated' });
      const later = await enqueue({ type: 'test.echo', delayMs: 3_600_000 });
      await reach(running, 'running');
      await reach(later, 'scheduled');
      for (const id of [running, later]) {
        const r = await remove(id);
        expect(r.status).toBe(409);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect((await task(id)).status).toBe(200);
      }
      handlers.openGate();
      await reach(running, 'completed');
    });

    it("answers 404 for an absent task and for another tenant's, which stays", async () => {
      expect((await remove(randomUUID())).status).toBe(404);
      expect((await remove('not-a-task-id')).status).toBe(404);
      const theirs = await enqueue({ type: 'test.echo' }, globex);
      await reach(theirs, 'completed', globex);
      const r = await remove(theirs);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect((await task(theirs, globex)).status).toBe(200);
    });

    it('does not bring a deleted task back when a late event for it arrives', async () => {
      const id = await enqueue({ type: 'test.echo' });
      await reach(id, 'completed');
      expect((await remove(id)).status).toBe(204);

      // Late events on one partition, then a sentinel task's enqueue behind them on the same one.
      const sentinel = randomUUID();
      await probe.send(probe.topics.events, [
        { key: id, value: envelope(id, 'acme', 'task.progressed', 1, { message: 'late' }), partition: 0 },
        { key: id, value: envelope(id, 'acme', 'task.completed', 1, { durationMs: 1 }), partition: 0 },
        { key: id, value: envelope(id, 'acme', 'task.retry-requested', 1, { requestedBy: 'someone' }), partition: 0 },
        {
          key: sentinel,
          value: envelope(sentinel, 'acme', 'task.enqueued', 0, {
            taskType: 'test.echo',
            payload: null,
            priority: 5,
            maxAttempts: 1,
            backoff: { type: 'fixed', delayMs: 0 },
          }),
          partition: 0,
        },
      ]);
      await waitFor(async () => (await task(sentinel)).status === 200, { what: 'the sentinel behind the late events to be projected' });
      expect((await task(id)).status).toBe(404);
      expect(await historyRows(id)).toBe(0);
    });
  });

  describe('retention (TASKLOG_RETENTION_DAYS=30)', () => {
    it('deletes finished tasks and their history older than the retention, and keeps recent and unfinished ones', async () => {
      handlers.closeGate();
      const oldCompleted = await enqueue({ type: 'test.echo' });
      const oldFailed = await enqueue({ type: 'test.fail', maxAttempts: 1 });
      const recent = await enqueue({ type: 'test.echo' });
      const almost = await enqueue({ type: 'test.echo' });
      const running = await enqueue({ type: 'test.gated' });
      for (const id of [oldCompleted, recent, almost]) await reach(id, 'completed');
      await reach(oldFailed, 'failed');
      await reach(running, 'running');

      const age = async (id: string, days: number, column: string) =>
        sql(engine.schema, `update tasks set ${column} = now() - $2 * interval '1 day' where id = $1`, [id, days]);
      await age(oldCompleted, 40, 'finished_at');
      await age(oldFailed, 31, 'finished_at');
      await age(almost, 29, 'finished_at');
      await age(running, 60, 'created_at');

      await waitFor(async () => (await task(oldCompleted)).status === 404 && (await task(oldFailed)).status === 404, {
        what: 'the scheduler to delete the old finished tasks',
      });
      expect(await historyRows(oldCompleted)).toBe(0);
      expect(await historyRows(oldFailed)).toBe(0);
      for (const id of [recent, almost, running]) {
        expect((await task(id)).status).toBe(200);
        expect(await historyRows(id)).toBeGreaterThan(0);
      }
      const counted = await sql<{ n: string }>(
        engine.schema,
        `select coalesce(sum(n), 0) as n from task_counts where tenant_id = 'acme' and status = 'failed'`,
      );
      expect(Number(counted[0].n)).toBe(0);

      handlers.openGate();
      await reach(running, 'completed');
      expect((await task(running)).status).toBe(200);
    });
  });
});
