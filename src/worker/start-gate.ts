import { cancelledUnstartedEvent, expiredEvent, RunCommand, TaskEvent } from '../events';
import { CancelledTasks } from './cancelled-tasks';

/**
 * The last look before a run command starts (it may have waited in the buffer for a slot):
 * a task cancelled meanwhile or past its deadline does not start. Returns the event to append
 * instead (the API or the scheduler may have written the same one: same id, first terminal
 * wins), or null to run it.
 */
export class StartGate {
  constructor(
    private readonly cancelled: CancelledTasks,
    private readonly now: () => number,
  ) {}

  check(cmd: RunCommand, publishedAt: number): TaskEvent | null {
    const scope = { taskId: cmd.taskId, tenantId: cmd.tenantId, attempt: cmd.attempt, correlationId: cmd.correlationId };
    const at = new Date(this.now()).toISOString();
    const reason = this.cancelled.covers(cmd.taskId, cmd.attempt, publishedAt);
    if (reason !== null) return cancelledUnstartedEvent(scope, reason, at);
    if (cmd.expiresAt && Date.parse(cmd.expiresAt) <= this.now()) return expiredEvent(scope, cmd.expiresAt, at);
    return null;
  }
}
