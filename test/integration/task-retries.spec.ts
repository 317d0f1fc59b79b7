import { Injectable } from '@nestjs/common';
import { NonRetryableError } from '../../src/common/errors';
import { TaskContext } from '../../src/worker/task-context';
import { TaskHandler } from '../../src/worker/task-handler.decorator';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { waitFor } from '../support/wait-for';

/** Fails until the attempt named in the payload; the type's own policy retries twice with a fixed wait. */
@Injectable()
class RetryHandlers {
  @TaskHandler('test.fails-until', { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 400 } })
  failsUntil(payload: { okOnAttempt: number }, ctx: TaskContext) {
    if (ctx.attempt < payload.okOnAttempt) throw new Error(`attempt ${ctx.attempt} failed`);
    return { attempt: ctx.attempt };
  }

  @TaskHandler('test.refuses', { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 100 } })
  refuses() {
    throw new NonRetryableError('the account is closed');
  }
}

interface HistoryEvent {
  type: string;
  at: string;
  attempt: number;
  data: { willRetry?: boolean; retryAt?: string };
}

describe('retries with backoff', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine({ label: 'retries', handlers: [RetryHandlers] });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const enqueue = async (type: string, payload: unknown, options: Record<string, unknown> = {}) =>
    (await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type, payload, ...options } })).body;
  const settled = (id: string) =>
    waitFor(
      async () => {
        const t = (await http(`${engine.url}/v1/tasks/${id}`)).body;
        return ['completed', 'failed'].includes(t.status) ? t : null;
      },
      { what: `task ${id} to settle` },
    );
  const history = async (id: string): Promise<HistoryEvent[]> => (await http(`${engine.url}/v1/tasks/${id}/events`)).body.items;

  it('runs attempt n+1 after the backoff, with ctx.attempt = n+1, and completes', async () => {
    const task = await enqueue('test.fails-until', { okOnAttempt: 3 });
    expect(task.maxAttempts).toBe(3);
    const done = await settled(task.id);
    expect(done).toMatchObject({ status: 'completed', attempt: 3, result: { attempt: 3 } });
    const events = await history(task.id);
    const failures = events.filter((e) => e.type === 'task.failed');
    const starts = events.filter((e) => e.type === 'task.started');
    expect(failures.map((f) => f.data.willRetry)).toEqual([true, true]);
    expect(starts.map((s) => s.attempt)).toEqual([1, 2, 3]);
    for (const [i, f] of failures.entries()) {
      // Not before the backoff: the next start waits for retryAt, which is 400 ms after the failure.
      // The event's time and retryAt are read from the clock a moment apart (a millisecond may pass).
      const wait = new Date(f.data.retryAt!).getTime() - new Date(f.at).getTime();
      expect(wait).toBeGreaterThanOrEqual(395);
      expect(wait).toBeLessThanOrEqual(405);
      expect(new Date(starts[i + 1].at).getTime()).toBeGreaterThanOrEqual(new Date(f.data.retryAt!).getTime());
    }
  });

  it('shows retrying with retryAt between attempts', async () => {
    const task = await enqueue('test.fails-until', { okOnAttempt: 2 }, { backoff: { type: 'fixed', delayMs: 3000 } });
    const waiting = await waitFor(
      async () => {
        const t = (await http(`${engine.url}/v1/tasks/${task.id}`)).body;
        return t.status === 'retrying' ? t : null;
      },
      { what: 'the task to show retrying' },
    );
    expect(waiting.error.message).toBe('attempt 1 failed');
    expect(new Date(waiting.runAt).getTime()).toBeGreaterThan(Date.now() - 1000);
    expect((await settled(task.id)).status).toBe('completed');
  });

  it('ends at once on a NonRetryableError, and after the last attempt otherwise', async () => {
    const refused = await settled((await enqueue('test.refuses', {})).id);
    expect(refused).toMatchObject({ status: 'failed', attempt: 1, error: { name: 'NonRetryableError' } });
    const exhausted = await settled((await enqueue('test.fails-until', { okOnAttempt: 9 }, { maxAttempts: 2 })).id);
    expect(exhausted).toMatchObject({ status: 'failed', attempt: 2 });
    const last = (await history(exhausted.id)).filter((e) => e.type === 'task.failed').pop()!;
    expect(last.data.willRetry).toBe(false);
  });
});
