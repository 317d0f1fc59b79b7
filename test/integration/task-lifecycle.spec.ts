import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('a task enqueued over REST', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startEngine({ label: 'lifecycle', handlers: [TestHandlers] });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const finished = (id: string) =>
    waitFor(
      async () => {
        const r = await http(`${engine.url}/v1/tasks/${id}`);
        return r.status === 200 && ['completed', 'failed'].includes(r.body.status) ? r.body : null;
      },
      { what: `task ${id} to finish` },
    );

  it('runs to completed, with its result and progress visible', async () => {
    const res = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: { hello: 'world' } } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ type: 'test.echo', status: 'queued', tenantId: 'default' });

    const task = await finished(res.body.id);
    expect(task.status).toBe('completed');
    expect(task.result).toEqual({ echoed: { hello: 'world' } });
    expect(task.progress).toMatchObject({ processed: 2, total: 2, percent: 100, message: 'done' });
    expect(task.attempt).toBe(1);
    expect(new Date(task.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(task.startedAt).getTime());
  });

  it('keeps its history: enqueued, queued, started, progressed, completed, in order', async () => {
    const res = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: 1 } });
    await finished(res.body.id);
    const history = await waitFor(async () => {
      const r = await http(`${engine.url}/v1/tasks/${res.body.id}/events`);
      return r.body.items?.some((e: { type: string }) => e.type === 'task.completed') ? r.body.items : null;
    });
    const types: string[] = history.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('task.enqueued');
    expect(types[1]).toBe('task.queued');
    expect(types[2]).toBe('task.started');
    expect(types.slice(3, -1).every((t) => t === 'task.progressed')).toBe(true);
    expect(types.slice(3, -1).length).toBeGreaterThanOrEqual(1);
    expect(types[types.length - 1]).toBe('task.completed');
  });

  it('ends failed with the error name and message when its handler throws', async () => {
    const res = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.fail', payload: { message: 'disk full' } } });
    const task = await finished(res.body.id);
    expect(task.status).toBe('failed');
    expect(task.error).toEqual({ name: 'TypeError', message: 'disk full', code: 'TypeError' });
    expect(task.result).toBeNull();
  });

  it('lists tasks filtered by status and type, page by page', async () => {
    const failing = await http(`${engine.url}/v1/tasks`, {
      method: 'POST',
      json: { type: 'test.fail', payload: { message: 'for the filter' } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.noop', payload: { i } } });
      ids.push(r.body.id);
    }
    await Promise.all(ids.map(finished));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `status=completed&type=test.noop&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await http(`${engine.url}/v1/tasks?${q}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const t of page.body.items) {
        expect(t).toMatchObject({ type: 'test.noop', status: 'completed' });
        seen.push(t.id);
      }
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());

    await finished(failing.body.id);
    const failedOnly = await http(`${engine.url}/v1/tasks?status=failed`);
    const failedIds = failedOnly.body.items.map((t: { id: string }) => t.id);
    expect(failedIds).toContain(failing.body.id);
    expect(failedIds.filter((id: string) => ids.includes(id))).toEqual([]);
    expect(failedOnly.body.items.every((t: { status: string }) => t.status === 'failed')).toBe(true);
  });

  it('answers 404 problem+json for a task that does not exist', async () => {
    const r = await http(`${engine.url}/v1/tasks/01a2085c-6789-74fa-ac49-b0b014b196df`);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ status: 404, title: 'Task not found' });
  });

  it('counts tasks by status and type in /v1/stats', async () => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.fail', payload: {} } });
    await finished(r.body.id);
    const stats = await http(`${engine.url}/v1/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body.byStatus.failed).toBeGreaterThanOrEqual(1);
    expect(stats.body.byType['test.fail'].failed).toBe(stats.body.byStatus.failed);
  });

  it('serves the live dashboard page and its script, which listens to the SSE stream', async () => {
    const r = await http(`${engine.url}/dashboard`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.body).toContain('/dashboard/app.js');
    const script = await http(`${engine.url}/dashboard/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.body).toContain("new EventSource('/v1/stream')");
  });
});
