import { Injectable } from '@nestjs/common';
import { createApp } from '../../src/app.factory';
import { Clock } from '../../src/common/clock';
import { Recurring } from '../../src/scheduler/schedules/recurring.decorator';
import { TaskHandler } from '../../src/worker/task-handler.decorator';
import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const MIN = 60_000;

@Injectable()
class NoHandler {
  @Recurring('0 1 * * *')
  forgotten() {
    return 'never bound';
  }
}

@Injectable()
class NightlyReport {
  @Recurring('0 3 * * *', { timezone: 'Europe/Berlin', name: 'nightly-report', payload: { kind: 'daily' } })
  @TaskHandler('test.nightly')
  run() {
    return 'ok';
  }
}

describe('recurring schedules', () => {
  let engine: TestEngine;
  let handlers: TestHandlers;
  let offset = 0;
  // A minute boundary a little ahead; the virtual clock is placed relative to it and only moves forward.
  const M0 = Math.ceil(Date.now() / MIN) * MIN + MIN;
  const setVirtual = (t: number) => (offset = t - Date.now());
  const keys = { acme: 'key-a', globex: 'key-b', default: 'key-d' } as const;

  beforeAll(async () => {
    engine = await startEngine({
      label: 'cron',
      handlers: [TestHandlers, NightlyReport],
      config: { apiKeys: { 'key-a': 'acme', 'key-b': 'globex', 'key-d': 'default' } },
    });
    handlers = engine.app.get(TestHandlers);
    const clock = engine.app.get(Clock);
    jest.spyOn(clock, 'now').mockImplementation(() => Date.now() + offset);
    setVirtual(M0 + 10_000);
  });
  afterAll(async () => {
    handlers?.openGate();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const api = (path: string, init: RequestInit & { json?: unknown } = {}, tenant: keyof typeof keys = 'acme') =>
    http(`${engine.url}${path}`, { ...init, headers: { 'x-api-key': keys[tenant], ...(init.headers ?? {}) } });
  const create = async (body: Record<string, unknown>, tenant: keyof typeof keys = 'acme') => {
    const r = await api('/v1/schedules', { method: 'POST', json: body }, tenant);
    expect(r.status).toBe(201);
    return r.body as { id: string; nextRunAt: string };
  };
  const scheduleEvents = (id: string) =>
    sql<{ type: string; fire_at: string; reason: string | null; task_id: string }>(
      engine.schema,
      `select type, data->>'fireAt' as fire_at, data->>'reason' as reason, task_id from task_events
       where type like 'schedule.%' and data->>'scheduleId' = $1 order by data->>'fireAt', type`,
      [id],
    );
  const iso = (t: number) => new Date(t).toISOString();
  const waitEvents = (id: string, n: number) =>
    waitFor(async () => ((await scheduleEvents(id)).length >= n ? scheduleEvents(id) : null), { what: `${n} schedule events` });

  describe('when a schedule is defined in code', () => {
    it('is upserted at startup for tenant default with its next fire in its time zone', async () => {
      const r = await api('/v1/schedules', {}, 'default');
      const nightly = r.body.items.find((s: { name: string }) => s.name === 'nightly-report');
      expect(nightly).toMatchObject({ source: 'code', cron: '0 3 * * *', timezone: 'Europe/Berlin', task: { type: 'test.nightly' } });
      // 03:00 in Berlin is 01:00 or 02:00 UTC, depending on the season.
      expect(['01:00:00.000Z', '02:00:00.000Z']).toContain(nightly.nextRunAt.slice(11));
    });
  });

  describe('when a schedule is invalid', () => {
    const base = { name: 'bad', cron: '0 2 * * *', timezone: 'UTC', task: { type: 'test.noop' } };
    it('answers 422 naming an unknown task type, a bad cron expression or a bad time zone', async () => {
      const type = await api('/v1/schedules', { method: 'POST', json: { ...base, task: { type: 'nope.nothing' } } });
      expect(type.status).toBe(422);
      expect(type.body.detail).toMatch(/unknown task type "nope.nothing"/);
      const cron = await api('/v1/schedules', { method: 'POST', json: { ...base, cron: '61 * * * *' } });
      expect(cron.status).toBe(422);
      expect(cron.body.detail).toMatch(/bad cron expression "61 \* \* \* \*"/);
      const zone = await api('/v1/schedules', { method: 'POST', json: { ...base, timezone: 'Europe/Atlantis' } });
      expect(zone.status).toBe(422);
      expect(zone.body.detail).toMatch(/unknown time zone "Europe\/Atlantis"/);
    });
  });

  describe('after an outage of five minutes (every-minute schedules, grace two minutes)', () => {
    it('applies each catch-up policy and records every fire as fired or skipped with its reason', async () => {
      const misfire = (catchUp: string) => ({ graceMs: 2 * MIN, catchUp });
      const sched = (catchUp: string) =>
        create({ name: `outage-${catchUp}`, cron: '* * * * *', task: { type: 'test.noop' }, misfire: misfire(catchUp) });
      const [skip, one, all] = [await sched('skip'), await sched('one'), await sched('all')];
      expect(one.nextRunAt).toBe(iso(M0 + MIN));

      // The leader was away: the clock jumps past five fires (lateness 270, 210, 150, 90 and 30 s).
      setVirtual(M0 + 5 * MIN + 30_000);
      const fires = [1, 2, 3, 4, 5].map((m) => iso(M0 + m * MIN));
      const misfired = fires.slice(0, 3).map((f) => ({ type: 'schedule.skipped', fire_at: f, reason: 'misfire' }));
      const shape = (rows: { type: string; fire_at: string; reason: string | null }[]) =>
        rows.map(({ type, fire_at, reason }) => ({ type, fire_at, reason }));

      expect(shape(await waitEvents(one.id, 5))).toEqual([
        ...misfired,
        { type: 'schedule.skipped', fire_at: fires[3], reason: 'coalesced' },
        { type: 'schedule.fired', fire_at: fires[4], reason: null },
      ]);
      expect(shape(await waitEvents(all.id, 5))).toEqual([
        ...misfired,
        { type: 'schedule.fired', fire_at: fires[3], reason: null },
        { type: 'schedule.fired', fire_at: fires[4], reason: null },
      ]);
      expect(shape(await waitEvents(skip.id, 5))).toEqual([
        ...misfired,
        { type: 'schedule.skipped', fire_at: fires[3], reason: 'catch-up-skipped' },
        { type: 'schedule.skipped', fire_at: fires[4], reason: 'catch-up-skipped' },
      ]);

      // The fired task is the one with the fire's idempotency key, and the schedule shows it as its last run.
      const view = await waitFor(async () => {
        const r = await api(`/v1/schedules/${one.id}`);
        return r.body.lastRun?.status === 'completed' ? r.body : null;
      });
      expect(view.lastRunAt).toBe(fires[4]);
      expect(view.nextRunAt).toBe(iso(M0 + 6 * MIN));
      const task = await api(`/v1/tasks/${view.lastRun.taskId}`);
      expect(task.body.idempotencyKey).toBe(`schedule:${one.id}:${fires[4]}`);
      // "Why did it not run?" is answered in the history of the task a skipped fire would have made.
      const skipped = (await scheduleEvents(skip.id)).find((e) => e.fire_at === fires[4])!;
      expect((await api(`/v1/tasks/${skipped.task_id}/events`)).body.items.map((e: { type: string }) => e.type)).toEqual([
        'schedule.skipped',
      ]);
    });
  });

  describe('when a run is still going at the next fire', () => {
    it('allow runs both, skip skips the fire, queue starts it when the previous run ends', async () => {
      handlers.closeGate();
      setVirtual(M0 + 10 * MIN + 10_000);
      const sched = (overlap: string) =>
        create({
          name: `overlap-${overlap}`,
          cron: '* * * * *',
          task: { type: 'test.gated' },
          overlap,
          misfire: { graceMs: MIN, catchUp: 'all' },
        });
      const [allow, skip, queue] = [await sched('allow'), await sched('skip'), await sched('queue')];
      const firedTasks = async (id: string) => (await scheduleEvents(id)).filter((e) => e.type === 'schedule.fired').map((e) => e.task_id);

      setVirtual(M0 + 11 * MIN + 5_000);
      await waitFor(() => handlers.current === 3, { what: 'the first fire of each schedule to run' });

      setVirtual(M0 + 12 * MIN + 5_000);
      await waitFor(() => handlers.current === 4, { what: "allow's second run beside its first" });
      const skipped = await waitEvents(skip.id, 2);
      expect(skipped[1]).toMatchObject({ type: 'schedule.skipped', fire_at: iso(M0 + 12 * MIN), reason: 'overlap' });
      const [q1, q2] = await waitFor(async () => ((await firedTasks(queue.id)).length === 2 ? firedTasks(queue.id) : null));
      const q2Queued = await waitFor(async () => ((await api(`/v1/tasks/${q2}`)).body.status === 'queued' ? true : null));
      expect(q2Queued).toBe(true);
      expect((await api(`/v1/tasks/${q1}`)).body.status).toBe('running');
      expect(await firedTasks(allow.id)).toHaveLength(2);

      handlers.openGate();
      const done = (id: string) =>
        waitFor(async () => ((await api(`/v1/tasks/${id}`)).body.status === 'completed' ? (await api(`/v1/tasks/${id}`)).body : null));
      const [first, second] = [await done(q1), await done(q2)];
      expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt));

      // With the previous run finished, skip's next fire runs.
      await waitFor(async () => (await api(`/v1/schedules/${skip.id}`)).body.lastRun?.status === 'completed');
      setVirtual(M0 + 13 * MIN + 5_000);
      const after = await waitEvents(skip.id, 3);
      expect(after[2]).toMatchObject({ type: 'schedule.fired', fire_at: iso(M0 + 13 * MIN) });
    });
  });

  describe('backfill, trigger, pause and delete', () => {
    it('backfills the fires in a range once each (a repeat gives the same tasks), capped with a count', async () => {
      const s = await create({ name: 'hourly', cron: '0 * * * *', task: { type: 'test.noop' } });
      const range = { from: '2026-10-24T22:00:00Z', to: '2026-10-25T05:00:00Z' };
      const first = await api(`/v1/schedules/${s.id}/backfill`, { method: 'POST', json: range });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ count: 8, truncated: false });
      const again = await api(`/v1/schedules/${s.id}/backfill`, { method: 'POST', json: range });
      expect(again.body.taskIds).toEqual(first.body.taskIds);
      await waitFor(async () => {
        const rows = await sql<{ n: string }>(
          engine.schema,
          `select count(*) as n from tasks where id = any($1::uuid[]) and status = 'completed'`,
          [first.body.taskIds],
        );
        return Number(rows[0].n) === 8;
      });

      const minutely = await create({ name: 'minutely', cron: '* * * * *', task: { type: 'test.noop' } });
      const capped = await api(`/v1/schedules/${minutely.id}/backfill`, {
        method: 'POST',
        json: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
      });
      expect(capped.body).toMatchObject({ count: 500, truncated: true });
      const bad = await api(`/v1/schedules/${minutely.id}/backfill`, {
        method: 'POST',
        json: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      });
      expect(bad.status).toBe(400);
    });

    it('triggers a run now, pauses (no next run), resumes, and deletes', async () => {
      const s = await create({ name: 'manual', cron: '0 0 1 1 *', task: { type: 'test.echo', payload: { hi: 1 } } });
      const t = await api(`/v1/schedules/${s.id}/trigger`, { method: 'POST' });
      expect(t.status).toBe(202);
      await waitFor(async () => (await api(`/v1/tasks/${t.body.taskId}`)).body.status === 'completed');
      expect((await api(`/v1/schedules/${s.id}`)).body.lastRun).toEqual({ taskId: t.body.taskId, status: 'completed' });

      const paused = await api(`/v1/schedules/${s.id}/pause`, { method: 'POST' });
      expect(paused.body).toMatchObject({ paused: true, nextRunAt: null });
      const resumed = await api(`/v1/schedules/${s.id}/resume`, { method: 'POST' });
      expect(resumed.body.paused).toBe(false);
      expect(resumed.body.nextRunAt).toMatch(/-01-01T00:00:00.000Z$/);

      expect((await api(`/v1/schedules/${s.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await api(`/v1/schedules/${s.id}`)).status).toBe(404);
    });
  });

  describe('tenants', () => {
    it('sees only its own schedules; another tenant gets 404', async () => {
      const mine = await create({ name: 'shared-name', cron: '0 4 * * *', task: { type: 'test.noop' } }, 'acme');
      const theirs = await create({ name: 'shared-name', cron: '0 5 * * *', task: { type: 'test.noop' } }, 'globex');
      expect(theirs.id).not.toBe(mine.id);
      expect((await api(`/v1/schedules/${mine.id}`, {}, 'globex')).status).toBe(404);
      expect((await api(`/v1/schedules/${mine.id}/trigger`, { method: 'POST' }, 'globex')).status).toBe(404);
      expect((await api(`/v1/schedules/${mine.id}`, { method: 'DELETE' }, 'globex')).status).toBe(404);
      const globexList = (await api('/v1/schedules', {}, 'globex')).body.items.map((s: { id: string }) => s.id);
      expect(globexList).toEqual([theirs.id]);
    });
  });

  describe('when a code schedule names a task type with no handler', () => {
    it('stops startup naming the schedule and the type', async () => {
      const app = await createApp({
        // This test's own prefix and schema: the roles start before the bootstrap check stops the app.
        config: {
          roles: ['api'],
          topicPrefix: engine.prefix,
          dbSchema: engine.schema,
          schedules: [{ name: 'orphan-sync', cron: '0 2 * * *', task: { type: 'sync.nobody' } }],
        },
        handlers: [TestHandlers],
      });
      await expect(app.init()).rejects.toThrow(/schedule "orphan-sync" .* names task type "sync.nobody", which no @TaskHandler/);
      await app.close().catch(() => undefined);
    });

    it('stops startup when @Recurring sits on a method that is no @TaskHandler, naming the method', async () => {
      const app = await createApp({
        config: { roles: ['api'], topicPrefix: engine.prefix, dbSchema: engine.schema },
        handlers: [NoHandler],
      });
      await expect(app.init()).rejects.toThrow(/@Recurring on NoHandler.forgotten needs @TaskHandler/);
      await app.close().catch(() => undefined);
    });
  });
});
