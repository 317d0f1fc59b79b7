import { isTerminal, TaskStatus } from '../domain';
import { formatCursor, seenUpTo, StreamCursor } from './stream-cursor';
import { StreamHub, StreamSubscriber } from './stream-hub';
import { streamMessage, StreamRow } from './stream-message';
import { matches, StreamFilter, StreamQueries } from './stream.queries';
import { SseWriter } from './sse-writer';

const PAGE = 500;
const ENDING_EVENTS = new Set(['task.completed', 'task.failed', 'task.cancelled', 'task.expired']);

export interface SessionOptions {
  filter: StreamFilter;
  /** Where the client stands; advanced with each event sent. */
  cursor: StreamCursor;
  /** Partitions to catch up on. */
  partitions: number[];
  /** A task's stream ends with its task; this is the task's status when the client came. */
  taskStatus?: string;
  /** Send the starting position first (a global stream opened without Last-Event-ID). */
  announce?: boolean;
}

/**
 * One client's stream: it subscribes to the hub first, then catches up from Postgres after its
 * cursor, and only then takes live rows. Anything the hub hands out meanwhile makes it read
 * again; every row passes the cursor check, so overlap between catch-up and live is dropped
 * and nothing between them is lost.
 */
export class StreamSession implements StreamSubscriber {
  private live = false;
  private missed = false;
  private lastSent: StreamRow | null = null;

  constructor(
    private readonly hub: StreamHub,
    private readonly queries: StreamQueries,
    private readonly sse: SseWriter,
    private readonly options: SessionOptions,
  ) {}

  private get endsWithTask(): boolean {
    return this.options.taskStatus !== undefined;
  }

  async run(): Promise<void> {
    const unsubscribe = this.hub.subscribe(this);
    this.sse.onClose(unsubscribe);
    try {
      const { cursor } = this.options;
      if (this.options.announce) this.sse.event({ cursor: formatCursor(cursor) }, { id: formatCursor(cursor), name: 'ready' });
      await this.catchUp();
      if (this.sse.closed) return;
      if (this.endsWithTask && this.caughtUpWithEnd()) {
        if (this.lastSent) this.sse.end();
        else this.sse.noContent();
        return;
      }
      this.live = true;
      this.sse.open();
    } catch (e) {
      unsubscribe();
      if (!this.sse.opened) throw e;
      this.sse.end();
    }
  }

  deliver(rows: StreamRow[]): void {
    if (this.sse.closed) return;
    if (!this.live) {
      if (rows.some((r) => matches(this.options.filter, r))) this.missed = true;
      return;
    }
    this.send(rows);
    const last = this.lastSent;
    if (this.endsWithTask && last && ENDING_EVENTS.has(last.event_type) && isTerminal(last.status as TaskStatus)) this.sse.end();
  }

  private async catchUp(): Promise<void> {
    const { filter, cursor, partitions } = this.options;
    do {
      this.missed = false;
      for (const partition of partitions) {
        for (;;) {
          const rows = await this.queries.matchingAfter(filter, partition, seenUpTo(cursor, partition), PAGE);
          this.send(rows);
          await this.sse.drained();
          if (this.sse.closed || rows.length < PAGE) break;
        }
      }
    } while (this.missed && !this.sse.closed);
  }

  /** Everything up to the task's end has been sent (the catch-up read the end, or the task had ended before). */
  private caughtUpWithEnd(): boolean {
    const status = this.lastSent ? this.lastSent.status : this.options.taskStatus;
    return isTerminal(status as TaskStatus);
  }

  private send(rows: StreamRow[]): void {
    const { filter, cursor } = this.options;
    for (const r of rows) {
      if (this.sse.closed) return;
      if (!matches(filter, r)) continue;
      const offset = Number(r.offset);
      if (offset <= seenUpTo(cursor, r.partition)) continue;
      cursor.set(r.partition, offset);
      this.sse.event(streamMessage(r), { id: formatCursor(cursor) });
      this.lastSent = r;
    }
  }
}
