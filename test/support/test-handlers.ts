import { Injectable } from '@nestjs/common';
import { TaskContext } from '../../src/worker/task-context';
import { TaskHandler } from '../../src/worker/task-handler.decorator';

/** Handlers for the integration tests; they count what they do so tests can assert it. */
@Injectable()
export class TestHandlers {
  runs = new Map<string, number>();
  current = 0;
  peak = 0;

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

  @TaskHandler('test.noop')
  noop() {
    return undefined;
  }

  private count(taskId: string): void {
    this.runs.set(taskId, (this.runs.get(taskId) ?? 0) + 1);
  }
}
