import { cancelledUnstartedEvent, encodeEvent, expiredEvent, SCHEMA_VERSION } from '../events';
import { OutMessage, recordHeaders, Topics } from '../kafka';
import { SweptTask } from './sweep-tasks.query';

/** How long a sweep is remembered: longer than the projection takes to show it. */
const REMEMBER_MS = 60_000;

/**
 * Ends tasks that must not start: `task.expired` past their deadline, `task.cancelled` for a
 * retry whose cancel was requested. Event ids are derived from (task, attempt), the same ones
 * the worker would write, so a repeat after failover adds no second history row. Like the
 * dispatcher, the leader remembers what it sent while the projection catches up.
 */
export class ExpirySweeper {
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly deps: {
      topics: Topics;
      publish: (group: OutMessage[]) => Promise<void>;
      now: () => number;
    },
  ) {}

  /** Resolves with how many tasks were ended now. */
  async sweep(tasks: SweptTask[]): Promise<number> {
    const now = this.deps.now();
    for (const [k, at] of this.sent) if (now - at > REMEMBER_MS) this.sent.delete(k);
    // One end per attempt: a task both expired and cancel-requested comes back from both queries.
    const seen = new Set<string>();
    const fresh = tasks.filter((t) => {
      const key = `${t.id}:${t.attempt}`;
      if (this.sent.has(key) || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const at = new Date(now).toISOString();
    await Promise.all(
      fresh.map(async (t) => {
        const key = `${t.id}:${t.attempt}`;
        this.sent.set(key, now);
        const scope = { taskId: t.id, tenantId: t.tenantId, attempt: t.attempt };
        const event =
          t.end.kind === 'expired' ? expiredEvent(scope, t.end.expiresAt, at) : cancelledUnstartedEvent(scope, t.end.reason, at);
        try {
          await this.deps.publish([
            {
              topic: this.deps.topics.events,
              key: t.id,
              value: encodeEvent(event),
              headers: recordHeaders(event.type, t.tenantId, SCHEMA_VERSION),
            },
          ]);
        } catch (e) {
          this.sent.delete(key);
          throw e;
        }
      }),
    );
    return fresh.length;
  }

  /** Forgets what was sent (a new leadership starts from the projection alone). */
  reset(): void {
    this.sent.clear();
  }
}
