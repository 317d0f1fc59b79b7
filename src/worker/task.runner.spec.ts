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
        new Promise(() => {
          ctx.signal.addEventListener('abort', () => (aborted = true));
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

  it('fails, not retryable, a task type this worker has no handler for', async () => {
    const { runner, events } = setup({});
    await (
      await runner.run(command('ghost'))
    ).durable;
    expect(events.at(-1)).toMatchObject({ type: 'task.failed', data: { error: { retryable: false } } });
  });
});
