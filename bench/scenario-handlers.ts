import { Injectable } from '@nestjs/common';
import { TaskHandler } from '../src/worker/task-handler.decorator';
import { TaskContext } from '../src/worker/task-context';

/** Released by the backlog scenario once it has measured; until then `bench.hold` tasks keep their slots. */
export const holdGate = { open: false };

/**
 * Handlers of the lifecycle scenarios: `bench.work` holds a slot for `ms`, like real work would;
 * `bench.hold` holds it until `holdGate` opens or the worker stops (the backlog scenario).
 */
@Injectable()
export class ScenarioHandlers {
  @TaskHandler('bench.hold')
  async hold(_payload: unknown, ctx: TaskContext): Promise<undefined> {
    while (!holdGate.open && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 50));
    return undefined;
  }

  @TaskHandler('bench.work')
  async work(payload: { ms: number }): Promise<undefined> {
    await new Promise((r) => setTimeout(r, payload.ms));
    return undefined;
  }
}
