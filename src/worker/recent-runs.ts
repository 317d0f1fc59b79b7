/**
 * The (taskId, attempt) pairs this worker started lately, least recently used first out.
 * Duplicate run commands (two API replicas enqueuing under one idempotency key) carry the
 * same pair and the same key, so they reach the same worker after the first: it skips them.
 */
export class RecentRuns {
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 10000) {}

  /** Records the pair; false when it was already there (a duplicate). */
  claim(taskId: string, attempt: number): boolean {
    const id = `${taskId}#${attempt}`;
    if (this.seen.has(id)) {
      this.seen.delete(id);
      this.seen.set(id, true);
      return false;
    }
    this.seen.set(id, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }

  /** Forgets a pair whose attempt was handed back unfinished, so it may run here again. */
  forget(taskId: string, attempt: number): void {
    this.seen.delete(`${taskId}#${attempt}`);
  }

  get size(): number {
    return this.seen.size;
  }
}
