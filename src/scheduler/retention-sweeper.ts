/** One batch of deletions: up to `limit` tasks finished before `cutoff`, with their history. */
export type PurgeBatch = (cutoff: Date, limit: number) => Promise<{ tasks: number; events: number }>;

export interface RetentionOptions {
  purge: PurgeBatch;
  now: () => number;
  retentionDays: number;
  /** Tasks per statement; each batch is its own short transaction. */
  batchSize?: number;
  /** Batches per round at most, so one round never runs for long; the next round goes on. */
  maxBatches?: number;
  /**
   * With a finite events retention (ms): tombstones of tasks deleted longer ago than that go too,
   * since Kafka no longer holds the events a rebuild could bring them back from (ADR 0015).
   */
  tombstones?: { retentionMs: number; purge: (cutoff: Date, limit: number) => Promise<number> };
}

/**
 * The scheduler's retention round: deletes finished tasks (and their history rows) that finished
 * more than `retentionDays` ago, batch after batch until a batch comes back short.
 */
export class RetentionSweeper {
  constructor(private readonly options: RetentionOptions) {}

  /** Resolves with what this round deleted. */
  async sweep(): Promise<{ tasks: number; events: number; tombstones: number; cutoff: Date }> {
    const { purge, now, retentionDays, batchSize = 1000, maxBatches = 50, tombstones } = this.options;
    const cutoff = new Date(now() - retentionDays * 86_400_000);
    const total = { tasks: 0, events: 0, tombstones: 0, cutoff };
    for (let i = 0; i < maxBatches; i++) {
      const done = await purge(cutoff, batchSize);
      total.tasks += done.tasks;
      total.events += done.events;
      if (done.tasks < batchSize) break;
    }
    if (!tombstones) return total;
    const deletedBefore = new Date(now() - tombstones.retentionMs);
    for (let i = 0; i < maxBatches; i++) {
      const n = await tombstones.purge(deletedBefore, batchSize);
      total.tombstones += n;
      if (n < batchSize) break;
    }
    return total;
  }
}
