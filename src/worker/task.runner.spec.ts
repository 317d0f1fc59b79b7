import { JsonLogger } from '../common/logger';
import { RunCommand, TaskEvent } from '../events';
import { HandlerRegistry } from './handler.registry';
import { TaskHandlerFn } from './task-context';
import { TaskRunner } from './task.runner';

function setup(handlers: Record<string, TaskHandlerFn>) {
  const registry = new HandlerRegistry();
  for (const [type, fn] of Object.entries(handlers)) registry.register(type, fn, type);
  const events: TaskEvent[] = [];
  const runner = new TaskRunner({
    registry,
    append: async (e) => void events.push(...e),
    now: Date.now,
    workerId: 'w-test',
    progressIntervalMs: 60_000,
    maxResultBytes: 1024,
    logger: new JsonLogger('error'),
  });
  return { runner, events };
}

const command = (taskType: string, extra: Partial<RunCommand> = {}): RunCommand => ({
  taskId: '01a2085c-6789-74fa-ac49-b0b014b196df',
  tenantId: 'acme',
  taskType,
  payload: { n: 2 },
  attempt: 1,
  enqueuedAt: new Date().toISOString(),
  ...extra,
});

describe('TaskRunner', () => {
  it('appends started, the last progress, then completed with the result', async () => {
    const { runner, events } = setup({
      double: (p, ctx) => {
        for (let i = 1; i <= 5; i++) ctx.progress({ processed: i, total: 5 });
        return { doubled: (p as { n: number }).n * 2 };
      },
    });
    await (
      await runner.run(command('double'))
    ).durable;
    expect(events.map((e) => e.type)).toEqual(['task.started', 'task.progressed', 'task.progressed', 'task.completed']);
    expect(events[2].data).toEqual({ processed: 5, total: 5 });
    expect(events[3].data).toMatchObject({ result: { doubled: 4 } });
    expect(events.every((e) => e.attempt === 1 && e.tenantId === 'acme')).toBe(true);
  });

  it('records a thrown error by name and message', async () => {
    const { runner, events } = setup({
      boom: () => {
        throw new RangeError('too big');
      },
    });
    await (
      await runner.run(command('boom'))
    ).durable;
    expect(events.at(-1)).toMatchObject({
      type: 'task.failed',
      data: { error: { name: 'RangeError', message: 'too big', retryable: true } },
    });
  });

  it('fails a task whose handler outlives timeoutMs, and aborts its signal', async () => {
    let aborted = false;
    const { runner, events } = setup({
      hang: (_p, ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('gave up'));
          });
        }),
    });
    await (
      await runner.run(command('hang', { timeoutMs: 50 }))
    ).durable;
    expect(aborted).toBe(true);
    expect(events.at(-1)).toMatchObject({
      type: 'task.failed',
      data: { error: { name: 'TimeoutError', message: 'timed out after 50 ms' } },
    });
  });

  it('refuses to run a task type this worker has no handler for (the worker dead-letters those first)', async () => {
    const { runner, events } = setup({});
    await expect(runner.run(command('ghost'))).rejects.toThrow(/no handler for task type "ghost"/);
    expect(events).toEqual([]);
  });

  describe('when a handler outlives its timeout and ignores the signal', () => {
    it('appends task.failed at once but returns, and counts as running, only once the handler really returned', async () => {
      let finishHandler!: () => void;
      const { runner, events } = setup({
        stubborn: () => new Promise<void>((resolve) => (finishHandler = resolve)),
      });
      let returned = false;
      const run = runner.run(command('stubborn', { timeoutMs: 20 })).then((r) => {
        returned = true;
        return r;
      });
      await waitUntil(() => events.some((e) => e.type === 'task.failed'));
      expect(returned).toBe(false);
      expect(runner.running).toBe(1);
      finishHandler();
      await (
        await run
      ).durable;
      expect(returned).toBe(true);
      expect(runner.running).toBe(0);
      expect(events.map((e) => e.type)).toEqual(['task.started', 'task.failed']);
    });
  });

  describe('when the worker aborts its handlers at shutdown', () => {
    it('appends no task.failed and reports the attempt as released', async () => {
      const { runner, events } = setup({
        polite: (_p, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
      });
      const run = runner.run(command('polite'));
      await waitUntil(() => runner.running === 1);
      runner.abortAll('shutting down');
      const { durable, released } = await run;
      await durable;
      expect(released).toBe(true);
      expect(events.map((e) => e.type)).toEqual(['task.started']);
    });
  });

  it('marks task.started of a redelivered command', async () => {
    const { runner, events } = setup({ ok: () => 1 });
    await (
      await runner.run(command('ok'), { redelivery: true })
    ).durable;
    expect(events[0]).toMatchObject({ type: 'task.started', data: { redelivery: true } });
  });

  describe('when a handler hands back what Postgres or the schema would refuse', () => {
    const outcomeOf = async (fn: TaskHandlerFn) => {
      const { runner, events } = setup({ odd: fn });
      await (
        await runner.run(command('odd'))
      ).durable;
      return events.at(-1)!;
    };

    it.each([
      ['a NUL character', { text: 'a\u0000b' }, /result.text contains a NUL/],
      ['an unpaired surrogate', { text: 'a\uD800' }, /result.text contains an unpaired UTF-16 surrogate/],
      ['nesting past the limit', JSON.parse('['.repeat(100) + ']'.repeat(100)), /nests deeper than 64 levels/],
      ['more bytes than the payload limit', { blob: 'x'.repeat(2000) }, /bytes as JSON; the limit is 1024/],
      ['a value JSON cannot hold', { n: BigInt(1) }, /not JSON-serialisable/],
    ])('fails the attempt, not retryable, for a result with %s', async (_what, result, message) => {
      expect(await outcomeOf(() => result)).toMatchObject({
        type: 'task.failed',
        data: { error: { name: 'ResultNotStorable', message: expect.stringMatching(message), retryable: false } },
      });
    });

    it('cleans and cuts an error name and message to what the schema takes', async () => {
      const e = await outcomeOf(() => {
        throw Object.assign(new Error(`bad\u0000${'m'.repeat(10000)}`), { name: 'N\uDC00'.repeat(300) });
      });
      const error = (e.data as { error: { name: string; message: string } }).error;
      expect(error.message.startsWith('bad\uFFFDmmm')).toBe(true);
      expect(error.message.length).toBe(4000);
      expect(error.name.length).toBe(200);
      expect(error.name).not.toMatch(/\uDC00/);
    });

    it('drops non-finite progress numbers and cuts the progress message', async () => {
      const { runner, events } = setup({
        counts: (_p, ctx) => {
          ctx.progress({ processed: Number.NaN, total: Infinity, succeeded: 3, message: 'é\u0000'.repeat(3000) });
          ctx.progress({ failed: Number.NEGATIVE_INFINITY });
        },
      });
      await (
        await runner.run(command('counts'))
      ).durable;
      const progressed = events.filter((e) => e.type === 'task.progressed');
      expect(progressed).toHaveLength(1);
      const data = progressed[0].data as { succeeded: number; message: string };
      expect(Object.keys(data).sort()).toEqual(['message', 'succeeded']);
      expect(data.message).toHaveLength(2000);
      expect(data.message).not.toMatch(/\u0000/);
      expect(events.at(-1)!.type).toBe('task.completed');
    });
  });

  describe('when the task is cancelled while it runs', () => {
    const honours: TaskHandlerFn = (_p, ctx) =>
      new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));

    it('aborts ctx.signal with a CancelAbort and ends the attempt cancelled, not failed, with no retry', async () => {
      let reason: unknown;
      const { runner, events } = setup({
        wait: (p, ctx) => {
          ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
          return honours(p, ctx);
        },
      });
      const run = runner.run(command('wait', { maxAttempts: 3 }));
      await waitUntil(() => runner.running === 1);
      expect(runner.cancel(command('wait').taskId, 1, 'not needed')).toBe(true);
      await (
        await run
      ).durable;
      expect((reason as Error).name).toBe('CancelAbort');
      expect(events.map((e) => e.type)).toEqual(['task.started', 'task.cancelled']);
      expect(events[1].data).toEqual({ reason: 'not needed', wasRunning: true });
      expect(runner.running).toBe(0);
    });

    it('ends it cancelled even when the handler ignores the signal and returns a result', async () => {
      let finish!: () => void;
      const { runner, events } = setup({ stubborn: () => new Promise<string>((r) => (finish = () => r('done anyway'))) });
      const run = runner.run(command('stubborn'));
      await waitUntil(() => runner.running === 1);
      runner.cancel(command('stubborn').taskId, 1, 'stop');
      finish();
      await (
        await run
      ).durable;
      expect(events.at(-1)).toMatchObject({ type: 'task.cancelled', data: { wasRunning: true } });
    });

    it('leaves a newer attempt alone when the cancel covered an older one', async () => {
      const { runner, events } = setup({ wait: honours });
      const run = runner.run(command('wait', { attempt: 2 }));
      await waitUntil(() => runner.running === 1);
      expect(runner.cancel(command('wait').taskId, 1, 'old')).toBe(false);
      expect(runner.cancel(command('wait').taskId, 2, 'now')).toBe(true);
      await (
        await run
      ).durable;
      expect(events.at(-1)).toMatchObject({ type: 'task.cancelled', data: { reason: 'now' } });
    });
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('condition never held');
}
