import { OffsetTracker } from './offset-tracker';

/**
 * The OffsetTracker of each partition a ParallelConsumer reads, by partition id
 * (`topic:partition`). A rebalance keeps the trackers of partitions still assigned here, so
 * work running across it still counts toward their commit point.
 */
export class PartitionTrackers extends Map<string, OffsetTracker> {
  /** The partition's tracker, made on first use (a batch can arrive before its assignment is heard). */
  of(id: string): OffsetTracker {
    let tracker = this.get(id);
    if (!tracker) this.set(id, (tracker = new OffsetTracker()));
    return tracker;
  }

  /** Drops the trackers of partitions assigned elsewhere now, adds the new ones; returns the assigned ids. */
  assign(assignment: Record<string, number[]>): Set<string> {
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) for (const p of partitions) assigned.add(`${topic}:${p}`);
    for (const id of [...this.keys()]) if (!assigned.has(id)) this.delete(id);
    for (const id of assigned) if (!this.has(id)) this.set(id, new OffsetTracker());
    return assigned;
  }
}
