import { CancelSignal } from '../events';

interface Seen {
  attempt: number;
  reason: string;
  /** When the cancel was published (its record's timestamp, ms). */
  at: number;
}

/**
 * The cancels this worker heard lately, least recently heard first out. A run command that one
 * covers is not started: same task, an attempt the cancel covered, and published before the
 * cancel. The last condition lets a manual retry after a cancel run, though it may reuse the
 * attempt number of an attempt that never started.
 */
export class CancelledTasks {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly capacity = 10000) {}

  add(signal: CancelSignal, publishedAt: number): void {
    const previous = this.seen.get(signal.taskId);
    this.seen.delete(signal.taskId);
    this.seen.set(signal.taskId, {
      attempt: Math.max(signal.attempt, previous?.attempt ?? 0),
      reason: signal.reason,
      at: Math.max(publishedAt, previous?.at ?? 0),
    });
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
  }

  /** The cancel's reason when a command of `attempt`, published at `publishedAt`, must not start. */
  covers(taskId: string, attempt: number, publishedAt: number): string | null {
    const s = this.seen.get(taskId);
    return s && attempt <= s.attempt && publishedAt <= s.at ? s.reason : null;
  }

  get size(): number {
    return this.seen.size;
  }
}
