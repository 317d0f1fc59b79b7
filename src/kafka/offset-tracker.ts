/**
 * Per-partition bookkeeping for key-ordered parallel processing: messages finish out of
 * order, but only the highest offset below which everything has finished may be committed.
 * `inFlight` counts every offset above the commit point, finished or not: one message that
 * never finishes pins the commit point, so the consumer stops tracking more past a cap.
 */
export class OffsetTracker {
  private readonly pending: number[] = [];
  private readonly done = new Set<number>();
  private head = 0;
  private lastSeen = -1;

  track(offset: number): void {
    this.pending.push(offset);
    if (offset > this.lastSeen) this.lastSeen = offset;
  }

  finish(offset: number): void {
    this.done.add(offset);
    while (this.head < this.pending.length && this.done.has(this.pending[this.head])) {
      this.done.delete(this.pending[this.head]);
      this.head += 1;
    }
    if (this.head > 1024) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The offset to commit (next to read), or null when nothing has been seen. */
  committable(): number | null {
    if (this.head < this.pending.length) return this.pending[this.head];
    return this.lastSeen < 0 ? null : this.lastSeen + 1;
  }

  /** Offsets tracked above the commit point, including those finished behind an unfinished one. */
  get inFlight(): number {
    return this.pending.length - this.head;
  }
}
