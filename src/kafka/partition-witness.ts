import { ICustomPartitioner, Partitioners, RecordMetadata } from 'kafkajs';

/**
 * kafkajs 2.2.4 can resolve a `sendBatch` without having written all of it: when a broker dies
 * mid-send and its partitions move to a broker that already answered for its own, the retry
 * skips that broker, so the moved partitions' records are neither written nor reported
 * (tulios/kafkajs#1303, still open). This partitioner (kafkajs' default, so records land where
 * they always did) notes each partition a send writes to; `unacknowledged` names the ones the
 * brokers did not acknowledge, and the caller fails the send so it is retried.
 * One send at a time per producer: the publishers send one batch at a time.
 */
export class PartitionWitness {
  private written = new Set<string>();

  readonly createPartitioner: ICustomPartitioner = () => {
    const partition = Partitioners.DefaultPartitioner();
    return (args) => {
      const p = partition(args);
      this.written.add(`${args.topic}:${p}`);
      return p;
    };
  };

  /** Call before each send. */
  begin(): void {
    this.written = new Set();
  }

  unacknowledged(results: RecordMetadata[]): string[] {
    const acked = new Set(results.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}:${r.partition}`));
    return [...this.written].filter((tp) => !acked.has(tp));
  }
}

/** Throws when a send left partitions unacknowledged (see PartitionWitness). */
export function assertAcknowledged(witness: PartitionWitness, results: RecordMetadata[]): void {
  const missing = witness.unacknowledged(results);
  if (missing.length) throw new Error(`the brokers acknowledged no write to ${missing.join(', ')} (a leader moved mid-send)`);
}
