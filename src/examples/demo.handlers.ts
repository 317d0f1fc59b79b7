import { formatIssues } from '../events';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { NonRetryableError } from '../common/errors';
import { TaskContext } from '../worker/task-context';
import { TaskHandler } from '../worker/task-handler.decorator';

const SleepPayload = z.object({
  ms: z.number().int().min(0).max(3_600_000).default(1000),
  steps: z.number().int().min(1).max(10_000).default(10),
});
const FailPayload = z.object({ message: z.string().default('demo.fail always fails') });

/** The example task types of the standalone app. */
@Injectable()
export class DemoHandlers {
  /** Sleeps `ms` in `steps` slices, reporting progress after each; stops early when aborted. */
  @TaskHandler('demo.sleep')
  async sleep(payload: unknown, ctx: TaskContext): Promise<{ slept: number }> {
    const { ms, steps } = parse(SleepPayload, payload);
    const slice = ms / steps;
    for (let step = 1; step <= steps; step++) {
      await delay(slice, ctx.signal);
      ctx.progress({ processed: step, total: steps, message: `step ${step} of ${steps}` });
    }
    return { slept: ms };
  }

  @TaskHandler('demo.fail')
  async fail(payload: unknown, ctx: TaskContext): Promise<never> {
    const { message } = parse(FailPayload, payload);
    ctx.log.write('info', 'demo.fail about to throw', { message });
    throw new Error(message);
  }
}

function parse<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> {
  const r = schema.safeParse(payload ?? {});
  if (!r.success) throw new NonRetryableError(`bad payload: ${formatIssues(r.error.issues)}`);
  return r.data;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
