import { JsonLogger } from '../common/logger';
import { sleep } from '../common/sleep';
import { StopOptions } from './parallel-consumer.options';

/**
 * Owns the messages a ParallelConsumer holds, by run key (`topic:partition:offset`): work with
 * the same key runs one after another in the order scheduled, other work side by side. A run
 * stays listed until it settles, so a message fetched again meanwhile is not run twice.
 */
export class KeyOrderedRuns {
  private readonly running = new Map<string, Promise<boolean>>();
  private readonly keyTails = new Map<string, Promise<boolean>>();

  get size(): number {
    return this.running.size;
  }

  get(runKey: string): Promise<boolean> | undefined {
    return this.running.get(runKey);
  }

  /** Runs `run` once the last work with `key` settled (no key: at once); `settled` is called as it settles. */
  schedule(runKey: string, key: string | null, run: () => Promise<boolean>, settled: () => void): Promise<boolean> {
    const previous: Promise<unknown> = key ? (this.keyTails.get(key) ?? Promise.resolve()) : Promise.resolve();
    const work = previous
      .then(() => run())
      .finally(() => {
        this.running.delete(runKey);
        settled();
        if (key && this.keyTails.get(key) === work) this.keyTails.delete(key);
      });
    this.running.set(runKey, work);
    if (key) this.keyTails.set(key, work);
    return work;
  }

  /** At stop: waits `graceMs` for running work, then calls `onGraceExpired` and waits `abandonMs` more. */
  async drain(options: StopOptions, logger: JsonLogger, groupId: string): Promise<void> {
    if (!(await this.idle(options.graceMs))) {
      logger.write('warn', 'shutdown grace period over; aborting running handlers', {
        groupId,
        running: this.running.size,
      });
      options.onGraceExpired?.();
      if (!(await this.idle(options.abandonMs ?? 5000))) {
        logger.write('error', 'handlers still running after abort; their messages stay uncommitted and are redelivered', {
          groupId,
          running: this.running.size,
        });
      }
    }
  }

  /** Waits until nothing runs (true) or `ms` pass (false). */
  async idle(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.running.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.running.values()]), sleep(Math.min(200, Math.max(1, deadline - Date.now())))]);
    }
    // Lets the callbacks on the last settled runs (the offset trackers) happen before the caller goes on.
    await new Promise((r) => setImmediate(r));
    return this.running.size === 0;
  }
}
