import { Injectable } from '@nestjs/common';
import { TaskHandler } from '../src/worker/task-handler.decorator';

/** The benchmark's only task type: does nothing, so the run measures the engine itself. */
@Injectable()
export class BenchHandlers {
  @TaskHandler('bench.noop')
  noop(): undefined {
    return undefined;
  }
}
