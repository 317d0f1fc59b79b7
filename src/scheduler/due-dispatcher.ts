import { runRecords } from '../client/run-records';
import { OutMessage, Topics } from '../kafka';
import { DueTask } from './due-task';
import { SendOnce } from './send-once';

/**
 * Turns due tasks into `task.queued` + run command. The queued event's id is derived from
 * (task, attempt), and the worker skips a run command for an attempt it already ran.
 */
export class DueDispatcher {
  private readonly once: SendOnce<DueTask>;

  constructor(deps: { topics: Topics; publish: (group: OutMessage[]) => Promise<void>; now: () => number }) {
    this.once = new SendOnce(deps.publish, deps.now, (t, at) => runRecords(deps.topics, t, at));
  }

  /** Dispatches the tasks not sent yet; resolves with how many went out. */
  dispatch(due: DueTask[]): Promise<number> {
    return this.once.send(due);
  }

  /** How many of the due tasks have not been dispatched yet. */
  unsent(due: DueTask[]): number {
    return this.once.unsent(due);
  }

  reset(): void {
    this.once.reset();
  }
}
