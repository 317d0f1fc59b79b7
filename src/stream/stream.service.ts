import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { Response } from 'express';
import { ErrorCode, TasklogError } from '../common/errors';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { parseCursor, StreamCursor } from './stream-cursor';
import { StreamHub } from './stream-hub';
import { StreamSession } from './stream-session';
import { StreamQueries } from './stream.queries';
import { SseWriter } from './sse-writer';

/** A task enqueued a moment ago may not be projected yet; its stream waits this long for it. */
const NEW_TASK_GRACE_MS = 2000;
const MAX_BUFFERED_BYTES = 1024 * 1024;
const RETRY_MS = 1000;

/** Opens the SSE streams of `GET /v1/tasks/:id/stream` and `GET /v1/stream`. */
@Injectable()
export class StreamService implements BeforeApplicationShutdown {
  private readonly writers = new Set<SseWriter>();

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly hub: StreamHub,
  ) {}

  /** One task's events from the start (or after Last-Event-ID); ends when the task ends. */
  async task(res: Response, tenantId: string, taskId: string, lastEventId: string | undefined): Promise<void> {
    const cursor = parseCursor(lastEventId ?? '');
    const queries = await this.queries();
    const taskStatus = await this.statusOf(queries, tenantId, taskId);
    if (taskStatus === null) throw new TasklogError(ErrorCode.TASK_NOT_FOUND, `no task ${taskId}`, { taskId });
    const partitions = union(cursor, await queries.taskPartitions(taskId));
    const session = new StreamSession(this.hub, queries, this.writer(res), {
      filter: { tenantId, taskId },
      cursor,
      partitions,
      taskStatus,
    });
    await session.run();
  }

  /** The tenant's events from now (or after Last-Event-ID), optionally of some task types/statuses. */
  async all(
    res: Response,
    filter: { tenantId: string; types?: string[]; statuses?: string[] },
    lastEventId: string | undefined,
  ): Promise<void> {
    const given = lastEventId === undefined ? null : parseCursor(lastEventId);
    const queries = await this.queries();
    const projected = await queries.projectedUpTo();
    const cursor = given ?? projected;
    const session = new StreamSession(this.hub, queries, this.writer(res), {
      filter,
      cursor,
      partitions: union(cursor, [...projected.keys()]),
      announce: given === null,
    });
    await session.run();
  }

  /** Open streams end first, so the HTTP server can close. */
  beforeApplicationShutdown(): void {
    for (const w of [...this.writers]) w.end();
  }

  private writer(res: Response): SseWriter {
    const w = new SseWriter(res, { keepAliveMs: this.config.sseKeepAliveMs, retryMs: RETRY_MS, maxBufferedBytes: MAX_BUFFERED_BYTES });
    this.writers.add(w);
    w.onClose(() => this.writers.delete(w));
    return w;
  }

  private async queries(): Promise<StreamQueries> {
    try {
      return await this.hub.queries();
    } catch (e) {
      throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `the read model is unreachable: ${(e as Error).message}`);
    }
  }

  private async statusOf(queries: StreamQueries, tenantId: string, taskId: string): Promise<string | null> {
    const until = Date.now() + NEW_TASK_GRACE_MS;
    for (;;) {
      const status = await queries.taskStatus(tenantId, taskId);
      if (status !== null || Date.now() >= until) return status;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function union(cursor: StreamCursor, partitions: number[]): number[] {
  return [...new Set([...cursor.keys(), ...partitions])].sort((a, b) => a - b);
}
