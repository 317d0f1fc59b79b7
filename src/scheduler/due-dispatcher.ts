import { runRecords } from '../client/run-records';
import { OutMessage, Topics } from '../kafka';
import { DueTask } from './due-task';

/** How long a dispatch is remembered: longer than the projection takes to show it. */
const REMEMBER_MS = 60_000;

/**
 * Turns due tasks into `task.queued` + run command, one group commit per task. The queued
 * event's id is derived from (task, attempt), so a dispatch repeated after a failover adds no
 * second history row, and the worker skips a run command for an attempt it already ran.
 * Between the dispatch and the projection catching up, the task still reads as due: the
 * leader remembers what it dispatched so it sends each due task once.
 */
export class DueDispatcher {
  private readonly dispatched = new Map<string, number>();

  constructor(
    private readonly deps: {
      topics: Topics;
      publish: (group: OutMessage[]) => Promise<void>;
      now: () => number;
    },
  ) {}

  /** Dispatches the tasks not sent yet; resolves with how many went out. */
  async dispatch(due: DueTask[]): Promise<number> {
    const now = this.deps.now();
    for (const [k, at] of this.dispatched) if (now - at > REMEMBER_MS) this.dispatched.delete(k);
    const fresh = due.filter((t) => !this.dispatched.has(`${t.id}:${t.attempt}`));
    await Promise.all(
      fresh.map(async (t) => {
        const key = `${t.id}:${t.attempt}`;
        this.dispatched.set(key, now);
        try {
          await this.deps.publish(this.records(t, new Date(now).toISOString()));
        } catch (e) {
          this.dispatched.delete(key);
          throw e;
        }
      }),
    );
    return fresh.length;
  }

  /** Forgets what was sent (a new leadership starts from the projection alone). */
  reset(): void {
    this.dispatched.clear();
  }

  private records(t: DueTask, at: string): OutMessage[] {
    return runRecords(this.deps.topics, t, at);
  }
}
