import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { topicsFor } from '../kafka/topics';
import { DatabaseService } from '../projection/database.service';
import { parseProjectedNotice, streamChannel } from '../projection/stream-notify';
import { PgListener } from './pg-listener';
import { StreamRow } from './stream-message';
import { StreamQueries } from './stream.queries';

/** A live stream client, as the hub sees it. */
export interface StreamSubscriber {
  /** Rows of one partition in offset order; the subscriber filters and de-duplicates them. */
  deliver(rows: StreamRow[]): void;
}

const PAGE = 500;

/**
 * The fan-out of one process: a single LISTEN connection hears "partition p is projected up
 * to offset o" from every projector, reads the new history rows once, and hands them to each
 * subscriber in memory. With no subscriber it reads nothing (a resuming client reads its own
 * catch-up from Postgres). Started by the first subscriber, so a process without stream
 * clients never listens.
 */
@Injectable()
export class StreamHub implements OnApplicationShutdown {
  private readonly subscribers = new Set<StreamSubscriber>();
  /** Per partition: last offset handed out (or skipped with nobody listening). */
  private readonly done = new Map<number, number>();
  /** Per partition: last offset known to be projected. */
  private readonly target = new Map<number, number>();
  private readonly draining = new Set<number>();
  private positioned = false;
  private listener: PgListener | null = null;
  private queriesReady: Promise<StreamQueries> | null = null;
  private readonly logger: JsonLogger;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly db: DatabaseService,
    logger: JsonLogger,
  ) {
    this.logger = logger.child({ component: 'stream-hub' });
  }

  /** The reads, once this process listens (so whatever commits after a read is heard). */
  async queries(): Promise<StreamQueries> {
    this.queriesReady ??= this.start().catch((e) => {
      this.queriesReady = null;
      throw e;
    });
    return this.queriesReady;
  }

  subscribe(s: StreamSubscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscribers.clear();
    await this.listener?.close();
    this.listener = null;
  }

  private async start(): Promise<StreamQueries> {
    const orm = await this.db.get();
    const queries = new StreamQueries(orm, { name: 'tasks', topic: topicsFor(this.config.topicPrefix).events });
    this.listener ??= new PgListener({
      databaseUrl: this.config.databaseUrl,
      channel: streamChannel(this.config.dbSchema),
      onNotice: (payload) => {
        const n = parseProjectedNotice(payload);
        if (n) this.want(n.partition, n.nextOffset - 1, queries);
      },
      onListening: () => this.position(queries),
      logger: this.logger,
    });
    await this.listener.start();
    return queries;
  }

  /** After (re)connecting: start from, or catch up to, what is projected now. */
  private async position(queries: StreamQueries): Promise<void> {
    const projected = await queries.projectedUpTo();
    for (const [partition, upTo] of projected) if (!this.done.has(partition)) this.done.set(partition, upTo);
    this.positioned = true;
    for (const [partition, upTo] of projected) this.want(partition, upTo, queries);
    for (const [partition, upTo] of this.target) this.want(partition, upTo, queries);
  }

  private want(partition: number, upTo: number, queries: StreamQueries): void {
    this.target.set(partition, Math.max(this.target.get(partition) ?? -1, upTo));
    // Until positioned, `done` is unknown; position() replays the targets gathered meanwhile.
    if (this.positioned && !this.draining.has(partition)) void this.drain(partition, queries);
  }

  private async drain(partition: number, queries: StreamQueries): Promise<void> {
    this.draining.add(partition);
    try {
      for (;;) {
        const done = this.done.get(partition) ?? -1;
        const target = this.target.get(partition) ?? -1;
        if (done >= target) return;
        if (this.subscribers.size === 0) {
          this.done.set(partition, target);
          continue;
        }
        const rows = await queries.partitionAfter(partition, done, PAGE);
        if (rows.length === 0) {
          this.done.set(partition, target);
          continue;
        }
        for (const s of [...this.subscribers]) s.deliver(rows);
        const last = Number(rows[rows.length - 1].offset);
        // A short page read everything committed, and what was notified is committed.
        this.done.set(partition, rows.length < PAGE ? Math.max(last, target) : last);
      }
    } catch (e) {
      this.logger.write('warn', 'stream read failed; retrying', { partition, error: (e as Error).message });
      setTimeout(() => this.want(partition, -1, queries), 1000).unref();
    } finally {
      this.draining.delete(partition);
    }
  }
}
