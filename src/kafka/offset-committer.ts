import { Consumer } from 'kafkajs';
import { JsonLogger } from '../common/logger';
import { OffsetTracker } from './offset-tracker';
import { RedeliveryMarks } from './redelivery-marks';
import { topicPartition } from './topic-partition';

/**
 * Owns the offset commits of a ParallelConsumer: per partition, the highest contiguous finished
 * offset its tracker allows, with the redelivery marks as metadata. Commits are batched (one
 * within 50 ms of the first request) and a partition is sent only when its offset or metadata
 * changed since its last successful commit.
 */
export class OffsetCommitter {
  private timer: NodeJS.Timeout | null = null;
  private readonly committed = new Map<string, string>();

  constructor(
    private readonly trackers: ReadonlyMap<string, OffsetTracker>,
    private readonly marks: Pick<RedeliveryMarks, 'metadataFor'>,
    /** The consumer to commit through, read at each commit (none while reconnecting). */
    private readonly consumer: () => Pick<Consumer, 'commitOffsets'> | null,
    private readonly logger: JsonLogger,
  ) {}

  /** Commits within 50 ms; requests until then share that commit. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.commit();
    }, 50);
  }

  /** Drops a scheduled commit (before the final one at stop). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Forgets what was committed, so a new consumer commits every partition again. */
  forget(): void {
    this.committed.clear();
  }

  async commit(): Promise<void> {
    const consumer = this.consumer();
    if (!consumer) return;
    const offsets: { topic: string; partition: number; offset: string; metadata: string | null }[] = [];
    for (const [id, tracker] of this.trackers) {
      const next = tracker.committable();
      if (next === null) continue;
      const metadata = this.marks.metadataFor(id, next);
      if (this.committed.get(id) === `${next}:${metadata}`) continue;
      const { topic, partitions } = topicPartition(id);
      offsets.push({ topic, partition: partitions[0], offset: String(next), metadata });
    }
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
      for (const o of offsets) this.committed.set(`${o.topic}:${o.partition}`, `${o.offset}:${o.metadata}`);
    } catch (e) {
      // A commit lost to a rebalance only means a redelivery later; the next commit retries.
      this.logger.write('warn', 'offset commit failed', { error: (e as Error).message });
    }
  }
}
