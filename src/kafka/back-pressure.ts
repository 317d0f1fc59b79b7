import { Consumer } from 'kafkajs';
import { OffsetTracker } from './offset-tracker';
import { topicPartition } from './topic-partition';

export interface BackPressureLimits {
  topics: string[];
  /** Fetched but unfinished messages of one topic at which that topic is paused. */
  maxBuffered: number;
  /** Offsets one partition may hold above its commit point before it is paused. */
  maxPendingPerPartition: number;
}

/**
 * Owns the fetch pauses of a ParallelConsumer. A topic (lane) is paused once it holds
 * `maxBuffered` fetched, unfinished messages and resumed at half that; a partition is paused
 * once its tracker holds `maxPendingPerPartition` offsets above the commit point (one stuck
 * message pins it) and resumed at half that.
 */
export class BackPressure {
  /** Fetched, unfinished messages per topic; each topic (lane) is paused on its own. */
  private readonly buffered = new Map<string, number>();
  private readonly pausedTopics = new Set<string>();
  private readonly pausedPartitions = new Set<string>();

  constructor(
    private readonly trackers: ReadonlyMap<string, OffsetTracker>,
    private readonly limits: BackPressureLimits,
  ) {}

  /** A message of `topic` was fetched and waits or runs. */
  taken(topic: string): void {
    this.buffered.set(topic, (this.buffered.get(topic) ?? 0) + 1);
  }

  /** A message counted by `taken` settled. */
  settled(topic: string): void {
    this.buffered.set(topic, this.buffered.get(topic)! - 1);
  }

  partitionFull(tracker: OffsetTracker): boolean {
    return tracker.inFlight >= this.limits.maxPendingPerPartition;
  }

  /** Forgets every pause: a new consumer starts unpaused. */
  reset(): void {
    this.pausedTopics.clear();
    this.pausedPartitions.clear();
  }

  /** Forgets the pauses of partitions no longer assigned here. */
  keepPartitions(assigned: ReadonlySet<string>): void {
    for (const id of [...this.pausedPartitions]) if (!assigned.has(id)) this.pausedPartitions.delete(id);
  }

  /** Pauses what went over its limit and resumes what drained to half of it. */
  apply(consumer: Pick<Consumer, 'pause' | 'resume'>): void {
    for (const topic of this.limits.topics) {
      if (!this.pausedTopics.has(topic) && this.overBuffered(topic)) {
        this.pausedTopics.add(topic);
        consumer.pause([{ topic }]);
      } else if (this.pausedTopics.has(topic) && (this.buffered.get(topic) ?? 0) <= this.limits.maxBuffered / 2) {
        this.pausedTopics.delete(topic);
        // Resuming a whole topic also lifts its partition pauses; they are applied again below.
        consumer.resume([{ topic }]);
        for (const id of [...this.pausedPartitions]) if (topicPartition(id).topic === topic) this.pausedPartitions.delete(id);
      }
    }
    for (const [id, tracker] of this.trackers) {
      // Partition pauses wait for their topic's pause to lift: kafkajs would drop a topic-wide pause.
      if (this.pausedTopics.has(topicPartition(id).topic)) continue;
      if (!this.pausedPartitions.has(id) && this.partitionFull(tracker)) {
        this.pausedPartitions.add(id);
        consumer.pause([topicPartition(id)]);
      } else if (this.pausedPartitions.has(id) && tracker.inFlight <= this.limits.maxPendingPerPartition / 2) {
        this.pausedPartitions.delete(id);
        consumer.resume([topicPartition(id)]);
      }
    }
  }

  private overBuffered(topic: string): boolean {
    return (this.buffered.get(topic) ?? 0) >= this.limits.maxBuffered;
  }
}
