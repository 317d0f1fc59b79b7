import { EventDataMap, EventType, makeEvent, TaskEvent } from '../events';
import { evolve } from './evolve';
import { TaskStatus } from './task-status';

const scope = { taskId: '0190f0f0-0000-7000-8000-000000000001', tenantId: 'acme', attempt: 0 };
let tick = 0;
function ev<K extends EventType>(type: K, data: EventDataMap[K], attempt = 1): TaskEvent {
  tick += 1;
  const at = new Date(Date.UTC(2026, 10, 22, 10, 0, tick)).toISOString();
  return makeEvent(type, { ...scope, attempt }, data, at) as TaskEvent;
}
const enqueued = (extra: Partial<EventDataMap['task.enqueued']> = {}) =>
  ev(
    EventType.ENQUEUED,
    { taskType: 'demo', payload: { a: 1 }, priority: 5, maxAttempts: 1, backoff: { type: 'fixed', delayMs: 0 }, ...extra },
    0,
  );
const queued = () => ev(EventType.QUEUED, { attempt: 1 }, 1);
const started = (attempt = 1) => ev(EventType.STARTED, { workerId: 'w1', attempt }, attempt);
const completed = (attempt = 1) => ev(EventType.COMPLETED, { result: { ok: true }, durationMs: 5 }, attempt);
const failed = (attempt = 1) =>
  ev(EventType.FAILED, { error: { name: 'Error', message: 'boom', retryable: false, code: 'Error' }, willRetry: false }, attempt);

const run = (events: TaskEvent[]) => events.reduce(evolve, null);

describe('evolve', () => {
  it.each([
    ['enqueued', [enqueued()], TaskStatus.QUEUED],
    ['enqueued with a future runAt', [enqueued({ runAt: '2099-01-01T00:00:00.000Z' })], TaskStatus.SCHEDULED],
    ['queued', [enqueued(), queued()], TaskStatus.QUEUED],
    ['started', [enqueued(), queued(), started()], TaskStatus.RUNNING],
    ['completed', [enqueued(), queued(), started(), completed()], TaskStatus.COMPLETED],
    ['failed', [enqueued(), queued(), started(), failed()], TaskStatus.FAILED],
    ['completed then failed: first terminal wins', [enqueued(), queued(), started(), completed(), failed()], TaskStatus.COMPLETED],
    ['a duplicate start after completion', [enqueued(), queued(), started(), completed(), started()], TaskStatus.COMPLETED],
  ])('given %s, the status is right', (_name, events, status) => {
    expect(run(events)?.status).toBe(status);
  });

  it('returns the same state for a repeated enqueue and queue (a lane preview, then the events topic: ADR 0009)', () => {
    const e = enqueued();
    const q = queued();
    const once = run([e, q])!;
    expect(evolve(evolve(once, e), q)).toBe(once);
  });

  it('ignores lifecycle events for a task it never saw enqueued', () => {
    expect(run([started(), completed()])).toBeNull();
  });

  it('keeps the first enqueue when the same task is enqueued twice', () => {
    const first = run([enqueued({ payload: 'first' })]);
    expect(evolve(first, enqueued({ payload: 'second' }))?.payload).toBe('first');
  });

  it('records result, timestamps and the worker of a completed task', () => {
    const state = run([enqueued(), queued(), started(), completed()])!;
    expect(state.result).toEqual({ ok: true });
    expect(state.workerId).toBe('w1');
    expect(state.startedAt).not.toBeNull();
    expect(state.finishedAt! > state.startedAt!).toBe(true);
  });

  it('merges progress so a partial update keeps earlier fields', () => {
    const state = run([
      enqueued(),
      queued(),
      started(),
      ev(EventType.PROGRESSED, { processed: 1, total: 10, message: 'first' }),
      ev(EventType.PROGRESSED, { processed: 4 }),
    ])!;
    expect(state.progress).toMatchObject({ processed: 4, total: 10, message: 'first' });
  });

  it('ignores events of an older attempt', () => {
    const state = run([enqueued({ maxAttempts: 3 }), queued(), started(1), started(2), failed(1)])!;
    expect(state.status).toBe(TaskStatus.RUNNING);
    expect(state.attempt).toBe(2);
  });

  it('keeps the error name, message and code of a failed task', () => {
    expect(run([enqueued(), queued(), started(), failed()])!.error).toEqual({ name: 'Error', message: 'boom', code: 'Error' });
  });

  it('does not mutate the state it is given', () => {
    const before = run([enqueued(), queued()])!;
    const copy = JSON.parse(JSON.stringify(before));
    evolve(before, started());
    expect(before).toEqual(copy);
  });

  describe('cancel and expiry', () => {
    const cancelRequested = (attempt = 1) => ev(EventType.CANCEL_REQUESTED, { reason: 'not needed', requestedBy: 'ops' }, attempt);
    const cancelled = (wasRunning: boolean, attempt = 1) => ev(EventType.CANCELLED, { reason: 'not needed', wasRunning }, attempt);
    const expired = () => ev(EventType.EXPIRED, { expiresAt: '2026-11-22T10:00:30.000Z' }, 1);
    const scheduled = () => enqueued({ runAt: '2099-01-01T00:00:00.000Z' });
    const retrying = () => [
      enqueued({ maxAttempts: 2 }),
      queued(),
      started(),
      ev(EventType.FAILED, {
        error: { name: 'Error', message: 'x', retryable: true, code: 'Error' },
        willRetry: true,
        retryAt: '2099-01-01T00:00:00.000Z',
      }),
    ];

    it.each([
      ['a scheduled task, cancelled', [scheduled(), cancelRequested(), cancelled(false)], TaskStatus.CANCELLED],
      ['a queued task, cancelled', [enqueued(), queued(), cancelRequested(), cancelled(false)], TaskStatus.CANCELLED],
      ['a retrying task, cancelled', [...retrying(), cancelRequested(2), cancelled(false, 2)], TaskStatus.CANCELLED],
      ['a running task with a cancel requested', [enqueued(), queued(), started(), cancelRequested()], TaskStatus.RUNNING],
      ['a running task its worker cancelled', [enqueued(), queued(), started(), cancelRequested(), cancelled(true)], TaskStatus.CANCELLED],
      [
        'a task completed before the cancel',
        [enqueued(), queued(), started(), completed(), cancelRequested(), cancelled(true)],
        TaskStatus.COMPLETED,
      ],
      [
        'a cancelled task whose buffered command started',
        [enqueued(), queued(), cancelRequested(), cancelled(false), started()],
        TaskStatus.CANCELLED,
      ],
      ['a queued task past its deadline', [enqueued(), queued(), expired()], TaskStatus.EXPIRED],
      ['a scheduled task past its deadline', [scheduled(), expired()], TaskStatus.EXPIRED],
      ['a retrying task past its deadline', [...retrying(), expired()], TaskStatus.EXPIRED],
      ['a task that started before its deadline passed', [enqueued(), queued(), started(), expired()], TaskStatus.RUNNING],
      ['an expired task then cancelled', [enqueued(), queued(), expired(), cancelled(false)], TaskStatus.EXPIRED],
    ])('given %s, the status is right', (_name, events, status) => {
      expect(run(events)?.status).toBe(status);
    });

    it('records when a cancel was first requested, and a repeat changes nothing', () => {
      const once = run([enqueued(), queued(), started(), cancelRequested()])!;
      expect(once.cancelRequestedAt).not.toBeNull();
      expect(evolve(once, cancelRequested())).toBe(once);
    });

    it('keeps the cancelled time as finishedAt, and a manual retry forgets the cancel request and the deadline', () => {
      const events = [enqueued({ expiresAt: '2026-11-22T10:00:30.000Z' }), queued(), cancelRequested(), cancelled(false)];
      const state = run(events)!;
      expect(state.finishedAt).toBe(events[3].at);
      const reopened = evolve(state, ev(EventType.RETRY_REQUESTED, { requestedBy: 'ops' }, 0))!;
      expect(reopened).toMatchObject({ status: TaskStatus.QUEUED, cancelRequestedAt: null, expiresAt: null, finishedAt: null });
    });
  });

  describe('a manual retry', () => {
    const retry = (attempts?: number) => ev(EventType.RETRY_REQUESTED, { requestedBy: 'ops', ...(attempts ? { attempts } : {}) }, 1);

    it('re-opens a failed task with a fresh budget, and its next attempt runs and completes', () => {
      const reopened = run([enqueued(), queued(), started(), failed(), retry(3)])!;
      expect(reopened).toMatchObject({ status: TaskStatus.QUEUED, maxAttempts: 4, error: null, finishedAt: null });
      const next = [ev(EventType.QUEUED, { attempt: 2 }, 2), started(2), completed(2)];
      expect(run([enqueued(), queued(), started(), failed(), retry(3), ...next])).toMatchObject({
        status: TaskStatus.COMPLETED,
        attempt: 2,
      });
    });

    it.each([
      ['a completed task', [enqueued(), queued(), started(), completed()], TaskStatus.COMPLETED],
      ['a running task', [enqueued(), queued(), started()], TaskStatus.RUNNING],
      ['a queued task', [enqueued(), queued()], TaskStatus.QUEUED],
    ])('leaves %s as it is', (_name, events, status) => {
      expect(run([...events, retry()])).toEqual(run(events));
      expect(run([...events, retry()])?.status).toBe(status);
    });

    it('counts a repeated retry request once', () => {
      const events = [enqueued(), queued(), started(), failed(), retry(2)];
      expect(run([...events, retry(2)])).toEqual(run(events));
      expect(run(events)?.maxAttempts).toBe(3);
    });
  });

  it('shows a redelivered attempt: the new worker and the redelivered flag', () => {
    const base = [enqueued(), queued(), started()];
    const rerun = ev(EventType.STARTED, { workerId: 'w2', attempt: 1, redelivery: true }, 1);
    expect(run([...base, rerun])).toMatchObject({ status: TaskStatus.RUNNING, workerId: 'w2', redelivered: true, attempt: 1 });
    expect(run(base)).toMatchObject({ workerId: 'w1', redelivered: false });
    // A plain duplicate start of the same attempt changes nothing.
    expect(run([...base, started()])).toEqual(run(base));
  });
});

describe('schedule events in a task history', () => {
  const fire = {
    scheduleId: '0190f0f0-0000-7000-8000-0000000000aa',
    scheduleName: 'nightly',
    fireAt: '2026-11-22T02:00:00.000Z',
    origin: 'cron' as const,
  };
  it('a skipped fire makes no task', () => {
    expect(evolve(null, ev(EventType.SCHEDULE_SKIPPED, { ...fire, reason: 'misfire' }, 0))).toBeNull();
  });
  it('a fired event leaves the task as it was', () => {
    const state = evolve(null, enqueued())!;
    expect(evolve(state, ev(EventType.SCHEDULE_FIRED, { ...fire, taskType: 'demo', idempotencyKey: 'k' }, 0))).toBe(state);
  });
});
