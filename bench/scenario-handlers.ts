import { Injectable } from '@nestjs/common';
import { TaskHandler } from '../src/worker/task-handler.decorator';

/** Handlers of the lifecycle scenarios: `bench.work` holds a slot for `ms`, like real work would. */
@Injectable()
export class ScenarioHandlers {
  @TaskHandler('bench.work')
  async work(payload: { ms: number }): Promise<undefined> {
    await new Promise((r) => setTimeout(r, payload.ms));
    return undefined;
  }
}
