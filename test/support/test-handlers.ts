import { Injectable } from '@nestjs/common';
import { TaskContext } from '../../src/worker/task-context';
import { TaskHandler } from '../../src/worker/task-handler.decorator';

/** Handlers for the integration tests; they count what they do so tests can assert it. */
@Injectable()
export class TestHandlers {
  runs = new Map<string, number>();
  current = 0;
  peak = 0;
  /** When each handler call began and really returned (ms since epoch), by task id. */
  began = new Map<string, number>();
  returned = new Map<string, number>();
  private gate = gate();

  @TaskHandler('test.echo')
  async echo(payload: unknown, ctx: TaskContext) {
    this.count(ctx.taskId);
    ctx.progress({ processed: 1, total: 2, message: 'half' });
    ctx.progress({ processed: 2, total: 2, message: 'done' });
    return { echoed: payload };
  }

  @TaskHandler('test.fail')
  async fail(payload: { message?: string }, ctx: TaskContext) {
    this.count(ctx.taskId);
    throw new TypeError(payload?.message ?? 'it broke');
  }

  /** Holds a slot for `ms`; tracks how many run at once. */
  @TaskHandler('test.slow')
  async slow(payload: { ms: number }, ctx: TaskContext) {
    this.count(ctx.taskId);
    this.current += 1;
    this.peak = Math.max(this.peak, this.current);
    try {
      await new Promise((r) => setTimeout(r, payload.ms));
    } finally {
      this.current -= 1;
    }
    return { sleptMs: payload.ms };
  }

  /** Waits until `openGate()`; tracks how many run at once. */
  @TaskHandler('test.gated')
  async gated(_payload: unknown, ctx: TaskContext) {
    this.count(ctx.taskId);
    this.current += 1;
    this.peak = Math.max(this.peak, this.current);
    try {
      await this.gate.promise;
    } finally {
      this.current -= 1;
    }
  }

  openGate(): void {
    this.gate.resolve();
  }

  closeGate(): void {
    this.gate = gate();
  }

  /** Runs `ms` whatever happens to its signal (a handler that ignores timeouts and cancels). */
  @TaskHandler('test.stubborn')
  async stubborn(payload: { ms: number }, ctx: TaskContext) {
    this.count(ctx.taskId);
    this.began.set(ctx.taskId, Date.now());
    await new Promise((r) => setTimeout(r, payload.ms));
    this.returned.set(ctx.taskId, Date.now());
    return { ranMs: payload.ms };
  }

  /** Returns whatever the payload says, e.g. a value Postgres refuses. */
  @TaskHandler('test.result')
  result(payload: { json?: string; repeat?: number }) {
    if (payload.repeat) return { blob: 'x'.repeat(payload.repeat) };
    return JSON.parse(payload.json ?? 'null');
  }

  /** Sleeps `ms`, ending early with the signal's reason when aborted (test/support/worker-child.js runs the same). */
  @TaskHandler('test.sleep')
  async sleep(payload: { ms: number }, ctx: TaskContext) {
    this.count(ctx.taskId);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, payload.ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(ctx.signal.reason);
      });
    });
    return { sleptMs: payload.ms };
  }

  @TaskHandler('test.noop')
  noop() {
    return undefined;
  }

  private count(taskId: string): void {
    this.runs.set(taskId, (this.runs.get(taskId) ?? 0) + 1);
  }
}

function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
