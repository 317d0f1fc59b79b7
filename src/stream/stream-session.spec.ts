import { StreamCursor } from './stream-cursor';
import { StreamHub, StreamSubscriber } from './stream-hub';
import { StreamRow } from './stream-message';
import { StreamSession } from './stream-session';
import { StreamFilter, StreamQueries } from './stream.queries';
import { SseWriter } from './sse-writer';

const TASK = '01900000-0000-7000-8000-000000000001';

function row(partition: number, offset: number, type = 'task.progressed', status = 'running', tenant = 'acme'): StreamRow {
  return {
    event_id: `e-${partition}-${offset}`,
    task_id: TASK,
    tenant_id: tenant,
    event_type: type,
    at: new Date(0),
    attempt: 1,
    data: {},
    partition,
    offset,
    task_type: 'demo.sleep',
    status,
    task_attempt: 1,
    max_attempts: 1,
    progress_processed: null,
    progress_total: null,
    progress_succeeded: null,
    progress_failed: null,
    progress_message: null,
    error: null,
    started_at: null,
    finished_at: null,
    worker_id: null,
  };
}

/** Postgres as the catch-up sees it: committed rows; `during` runs inside the first read. */
class FakeQueries {
  committed: StreamRow[] = [];
  during: (() => void) | null = null;
  async matchingAfter(f: StreamFilter, partition: number, after: number, limit: number): Promise<StreamRow[]> {
    const rows = this.committed.filter((r) => r.tenant_id === f.tenantId && r.partition === partition && Number(r.offset) > after);
    const hook = this.during;
    this.during = null;
    hook?.();
    return rows.slice(0, limit);
  }
}

class FakeHub {
  subscribers = new Set<StreamSubscriber>();
  subscribe(s: StreamSubscriber) {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }
  hand(rows: StreamRow[]) {
    for (const s of this.subscribers) s.deliver(rows);
  }
}

class FakeSse {
  sent: { id?: string; data: any; name?: string }[] = [];
  opened = false;
  closed = false;
  how: 'end' | '204' | null = null;
  private onClosed: (() => void)[] = [];
  onClose(fn: () => void) {
    this.onClosed.push(fn);
  }
  open() {
    this.opened = true;
  }
  event(data: unknown, opts: { id?: string; name?: string } = {}) {
    this.opened = true;
    this.sent.push({ data, ...opts });
  }
  async drained() {}
  end() {
    this.how = 'end';
    this.finish();
  }
  noContent() {
    this.how = '204';
    this.finish();
  }
  private finish() {
    this.closed = true;
    for (const fn of this.onClosed) fn();
  }
}

function session(opts: { cursor?: StreamCursor; partitions?: number[]; taskStatus?: string; filter?: StreamFilter }) {
  const queries = new FakeQueries();
  const hub = new FakeHub();
  const sse = new FakeSse();
  const s = new StreamSession(hub as unknown as StreamHub, queries as unknown as StreamQueries, sse as unknown as SseWriter, {
    filter: opts.filter ?? { tenantId: 'acme', taskId: TASK },
    cursor: opts.cursor ?? new Map(),
    partitions: opts.partitions ?? [0],
    taskStatus: opts.taskStatus,
  });
  return { s, queries, hub, sse, ids: () => sse.sent.filter((m) => !m.name).map((m) => m.data.eventId) };
}

describe('a stream session', () => {
  it('sends what is committed after the cursor, then live rows, each once', async () => {
    const { s, queries, hub, ids } = session({ cursor: new Map([[0, 1]]), taskStatus: 'running' });
    queries.committed = [row(0, 0), row(0, 1), row(0, 2), row(0, 3)];
    await s.run();
    // The hub re-reads a page the catch-up already sent, then new rows.
    hub.hand([row(0, 3), row(0, 4)]);
    expect(ids()).toEqual(['e-0-2', 'e-0-3', 'e-0-4']);
  });

  it('reads again when rows are handed out during its catch-up, so none falls in between', async () => {
    const { s, queries, hub, ids } = session({ taskStatus: 'running' });
    queries.committed = [row(0, 0)];
    queries.during = () => {
      // Committed and handed out while the first read is under way: the session is not live yet.
      queries.committed.push(row(0, 1));
      hub.hand([row(0, 1)]);
    };
    await s.run();
    expect(ids()).toEqual(['e-0-0', 'e-0-1']);
  });

  it("ignores another tenant's rows", async () => {
    const { s, hub, ids } = session({ filter: { tenantId: 'acme' }, partitions: [0] });
    await s.run();
    hub.hand([row(0, 5, 'task.progressed', 'running', 'globex')]);
    expect(ids()).toEqual([]);
  });

  it('ends a task stream after the ending event, and answers 204 when the task had ended before', async () => {
    const live = session({ taskStatus: 'running' });
    await live.s.run();
    live.hub.hand([row(0, 7, 'task.progressed', 'cancelled'), row(0, 8, 'task.cancelled', 'cancelled')]);
    expect(live.ids()).toEqual(['e-0-7', 'e-0-8']);
    expect(live.sse.how).toBe('end');
    expect(live.hub.subscribers.size).toBe(0);

    const after = session({ cursor: new Map([[0, 8]]), taskStatus: 'cancelled' });
    after.queries.committed = [row(0, 8, 'task.cancelled', 'cancelled')];
    await after.s.run();
    expect(after.sse.how).toBe('204');
  });

  it('replays a finished task from its start and then ends', async () => {
    const { s, queries, sse, ids } = session({ taskStatus: 'completed' });
    queries.committed = [row(0, 0, 'task.enqueued', 'completed'), row(0, 1, 'task.completed', 'completed')];
    await s.run();
    expect(ids()).toEqual(['e-0-0', 'e-0-1']);
    expect(sse.sent.at(-1)!.id).toBe('0:1');
    expect(sse.how).toBe('end');
  });
});
