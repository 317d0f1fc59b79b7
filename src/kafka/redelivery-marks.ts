import { JsonLogger } from '../common/logger';
import { KafkaClient } from './kafka.client';

/**
 * Marks messages a crashed consumer may already have started. Each consumer commits, as the
 * metadata of its offsets, how far it has handed messages to handlers (`startedUpTo`); the next
 * owner of a partition reads it on assignment, and messages up to there are redeliveries.
 */
export class RedeliveryMarks {
  /** Per partition (`topic:partition`), the highest offset handed to a handler here. */
  private readonly started = new Map<string, number>();
  /** Per partition, how far its previous owner had started past the commit point. */
  private previous = new Map<string, number>();
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: KafkaClient,
    private readonly groupId: string,
    private readonly logger: JsonLogger,
  ) {}

  /** Records a start; true when it moved the mark (worth committing soon). */
  markStarted(partitionId: string, offset: number): boolean {
    if (offset <= (this.started.get(partitionId) ?? -1)) return false;
    this.started.set(partitionId, offset);
    return true;
  }

  /** The offset metadata to commit with `next`: null once everything started is behind it. */
  metadataFor(partitionId: string, next: number): string | null {
    const started = this.started.get(partitionId);
    return started !== undefined && started >= next ? JSON.stringify({ startedUpTo: started }) : null;
  }

  /** Resolves once the previous owners' marks for the last assignment are known (or unknowable). */
  ready(): Promise<void> {
    return this.reading;
  }

  wasStarted(partitionId: string, offset: number): boolean {
    return offset <= (this.previous.get(partitionId) ?? -1);
  }

  forgetLocal(): void {
    this.started.clear();
  }

  /** Reads the committed offsets' metadata for a new assignment. Best effort: unread means unmarked. */
  onAssignment(topics: string[]): void {
    this.reading = this.read(topics);
  }

  private async read(topics: string[]): Promise<void> {
    let admin: ReturnType<KafkaClient['admin']> | null = null;
    try {
      admin = this.kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchOffsets({ groupId: this.groupId, topics });
      const next = new Map<string, number>();
      for (const t of offsets) {
        for (const p of t.partitions) {
          const started = parseStartedUpTo(p.metadata);
          if (started !== null && started >= Number(p.offset)) next.set(`${t.topic}:${p.partition}`, started);
        }
      }
      this.previous = next;
    } catch (e) {
      this.logger.write('warn', "could not read the previous owners' offset metadata; reruns are not marked", {
        error: (e as Error).message,
      });
    } finally {
      await admin?.disconnect().catch(() => undefined);
    }
  }
}

function parseStartedUpTo(metadata: string | null | undefined): number | null {
  if (!metadata) return null;
  try {
    const n = Number((JSON.parse(metadata) as { startedUpTo?: unknown }).startedUpTo);
    return Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}
