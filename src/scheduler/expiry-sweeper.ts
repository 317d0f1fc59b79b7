import { cancelledUnstartedEvent, encodeEvent, expiredEvent, SCHEMA_VERSION } from '../events';
import { OutMessage, recordHeaders, Topics } from '../kafka';
import { SendOnce } from './send-once';
import { SweptTask } from './sweep-tasks.query';

/**
 * Ends tasks that must not start: `task.expired` past their deadline, `task.cancelled` for a
 * retry whose cancel was requested. Event ids are derived from (task, attempt), the same ones
 * the worker would write. An attempt both expired and cancel-requested is ended once.
 */
export class ExpirySweeper {
  private readonly once: SendOnce<SweptTask>;

  constructor(deps: { topics: Topics; publish: (group: OutMessage[]) => Promise<void>; now: () => number }) {
    this.once = new SendOnce(deps.publish, deps.now, (t, at) => {
      const scope = { taskId: t.id, tenantId: t.tenantId, attempt: t.attempt };
      const event = t.end.kind === 'expired' ? expiredEvent(scope, t.end.expiresAt, at) : cancelledUnstartedEvent(scope, t.end.reason, at);
      return [
        {
          topic: deps.topics.events,
          key: t.id,
          value: encodeEvent(event),
          headers: recordHeaders(event.type, t.tenantId, SCHEMA_VERSION, t.traceparent ?? undefined),
        },
      ];
    });
  }

  /** Resolves with how many tasks were ended now. */
  sweep(tasks: SweptTask[]): Promise<number> {
    return this.once.send(tasks);
  }

  reset(): void {
    this.once.reset();
  }
}
