import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DemoHandlers } from '../../src/examples/demo.handlers';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { SseClient } from '../support/sse-client';
import { waitFor } from '../support/wait-for';

const ACME = { authorization: 'Bearer acme-key' };
const GLOBEX = { 'x-api-key': 'globex-key' };

describe('live updates over SSE', () => {
  let engine: TestEngine;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    engine = await startEngine({
      label: 'sse',
      handlers: [DemoHandlers],
      // Every progress call becomes an event (no throttle), and keep-alives come quickly.
      config: { progressIntervalMs: 0, sseKeepAliveMs: 300, apiKeys: { 'acme-key': 'acme', 'globex-key': 'globex' } },
    });
  });
  afterAll(async () => {
    // Streams still open must not hold the shutdown: the engine ends them.
    await engine?.stop();
    for (const c of clients) c.close();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const open = (path: string, headers: Record<string, string>) => {
    const c = new SseClient(`${engine.url}${path}`, headers);
    clients.push(c);
    return c;
  };
  const enqueue = async (type: string, payload: unknown, headers = ACME) => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type, payload }, headers });
    expect(r.status).toBe(202);
    return r.body.id as string;
  };
  const history = async (id: string) =>
    (await http(`${engine.url}/v1/tasks/${id}/events`, { headers: ACME })).body.items as { id: string }[];
  const ofTask = (c: SseClient, id: string) => c.messages.filter((m) => m.data.taskId === id);

  describe('a task stream', () => {
    it('carries a running demo.sleep, and a reconnect with Last-Event-ID misses and repeats nothing', async () => {
      const id = await enqueue('demo.sleep', { ms: 3000, steps: 30 });
      const first = open(`/v1/tasks/${id}/stream`, ACME);
      await waitFor(() => first.messages.filter((m) => m.data.type === 'task.progressed').length >= 5, { what: 'five progress events' });
      first.close();
      await first.done;
      const got = first.messages.length;
      // Events go on while the client is away.
      await waitFor(async () => (await history(id)).length >= got + 5, { what: 'events while disconnected' });

      const second = open(`/v1/tasks/${id}/stream`, { ...ACME, 'last-event-id': first.lastId! });
      await second.done;
      expect(second.status).toBe(200);
      expect(second.ended).toBe(true);
      expect(second.events.at(-1)!.event).toBe('end');
      expect(second.messages.at(-1)!.data.type).toBe('task.completed');
      expect(second.messages.at(-1)!.data.task.status).toBe('completed');

      const received = [...first.messages, ...second.messages].map((m) => m.data.eventId);
      expect(new Set(received).size).toBe(received.length);
      expect(received).toEqual((await history(id)).map((e) => e.id));
      const percents = [...first.messages, ...second.messages]
        .filter((m) => m.data.type === 'task.progressed')
        .map((m) => m.data.data.processed as number);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(percents.at(-1)).toBe(30);

      // The task has ended and the client has everything: 204 tells EventSource to stop.
      const third = open(`/v1/tasks/${id}/stream`, { ...ACME, 'last-event-id': second.lastId! });
      await third.done;
      expect(third.status).toBe(204);
    });

    it("is 404 for another tenant's task, 401 without a key, 400 for a Last-Event-ID that is not ours", async () => {
      const id = await enqueue('demo.sleep', { ms: 10, steps: 1 });
      await waitFor(async () => (await http(`${engine.url}/v1/tasks/${id}`, { headers: ACME })).status === 200);
      const other = await http(`${engine.url}/v1/tasks/${id}/stream`, { headers: GLOBEX });
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect((await http(`${engine.url}/v1/tasks/${id}/stream`)).status).toBe(401);
      const bad = await http(`${engine.url}/v1/tasks/${id}/stream`, { headers: { ...ACME, 'last-event-id': 'yesterday' } });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toMatch(/Last-Event-ID/);
      expect((await http(`${engine.url}/v1/tasks/not-a-task/stream`, { headers: ACME })).status).toBe(404);
      expect((await http(`${engine.url}/v1/tasks/%00/stream`, { headers: ACME })).status).toBe(400);
      expect((await http(`${engine.url}/v1/stream?type=%00`, { headers: ACME })).status).toBe(400);
      // Several statuses are a filter (as on GET /v1/tasks); an unknown one is refused.
      expect((await http(`${engine.url}/v1/stream?status=running,bogus`, { headers: ACME })).status).toBe(400);
    });
  });

  describe('the global stream', () => {
    it('shows only its own tenant, sends keep-alives, and resumes exactly with Last-Event-ID', async () => {
      const acme = open('/v1/stream', ACME);
      const globex = open('/v1/stream', GLOBEX);
      await waitFor(() => acme.events.some((e) => e.event === 'ready') && globex.events.some((e) => e.event === 'ready'));
      await waitFor(() => acme.comments.includes('keep-alive'), { what: 'a keep-alive comment' });

      const id = await enqueue('demo.sleep', { ms: 2000, steps: 20 });
      await waitFor(() => ofTask(acme, id).some((m) => m.data.type === 'task.progressed'), { what: 'progress on the global stream' });
      acme.close();
      await acme.done;
      const resumed = open('/v1/stream', { ...ACME, 'last-event-id': acme.lastId! });
      await waitFor(() => ofTask(resumed, id).some((m) => m.data.type === 'task.completed'), { what: 'the end of the task' });

      const received = [...ofTask(acme, id), ...ofTask(resumed, id)].map((m) => m.data.eventId);
      expect(received).toEqual((await history(id)).map((e) => e.id));
      // Another tenant's stream, open all along, saw none of it.
      expect(globex.messages).toEqual([]);
    });

    it('filters by task type and by status', async () => {
      const failures = open('/v1/stream?type=demo.fail', ACME);
      const completed = open('/v1/stream?status=completed', ACME);
      const everything = open('/v1/stream', ACME);
      await waitFor(() => [failures, completed, everything].every((c) => c.events.some((e) => e.event === 'ready')));

      const fail = await enqueue('demo.fail', { message: 'on purpose' });
      const sleep = await enqueue('demo.sleep', { ms: 100, steps: 2 });
      await waitFor(() => ofTask(failures, fail).some((m) => m.data.task.status === 'failed'), { what: 'the failure' });
      await waitFor(() => ofTask(completed, sleep).some((m) => m.data.type === 'task.completed'), { what: 'the completion' });
      await waitFor(() => ofTask(everything, fail).length > 0 && ofTask(everything, sleep).some((m) => m.data.type === 'task.completed'));

      expect(failures.messages.every((m) => m.data.task.type === 'demo.fail')).toBe(true);
      expect(ofTask(failures, sleep)).toEqual([]);
      expect(completed.messages.every((m) => m.data.task.status === 'completed')).toBe(true);
      expect(ofTask(completed, fail)).toEqual([]);
      const bad = await http(`${engine.url}/v1/stream?status=sleeping`, { headers: ACME });
      expect(bad.status).toBe(400);
    });

    it('delivers a few hundred progress events in order; the latency is written to test/artifacts', async () => {
      const stream = open('/v1/stream?type=demo.sleep', ACME);
      await waitFor(() => stream.events.some((e) => e.event === 'ready'));
      const id = await enqueue('demo.sleep', { ms: 6000, steps: 300 });
      await waitFor(() => ofTask(stream, id).some((m) => m.data.type === 'task.completed'), { what: 'the end of the task' });

      const progress = ofTask(stream, id).filter((m) => m.data.type === 'task.progressed');
      expect(progress.map((m) => m.data.data.processed)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      const latencies = progress.map((m) => m.receivedAt - Date.parse(m.data.at)).sort((a, b) => a - b);
      const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
      const figures = { events: latencies.length, p50Ms: pct(50), p90Ms: pct(90), p99Ms: pct(99), maxMs: latencies.at(-1) };
      mkdirSync(join(__dirname, '../artifacts'), { recursive: true });
      writeFileSync(join(__dirname, '../artifacts/sse-latency.json'), JSON.stringify(figures, null, 2) + '\n');
      process.stdout.write(`SSE delivery latency (event at -> client received): ${JSON.stringify(figures)}\n`);
    });
  });
});
