import { Injectable } from '@nestjs/common';
import { context, Context, ContextManager, isValidTraceId, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { loadDevConfig } from '../../src/config';
import { topicsFor } from '../../src/kafka/topics';
import { TaskContext } from '../../src/worker/task-context';
import { TaskHandler } from '../../src/worker/task-handler.decorator';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { waitFor } from '../support/wait-for';

/** What an app's OpenTelemetry SDK registers: a context manager, so `trace.getActiveSpan()` works. */
class AsyncContextManager implements ContextManager {
  private readonly store = new AsyncLocalStorage<Context>();
  active = () => this.store.getStore() ?? ROOT_CONTEXT;
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A) {
    return this.store.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable = () => this;
  disable = () => this;
}

@Injectable()
class TraceProbe {
  /** By task id: the trace id from ctx and from the active span. */
  seen = new Map<string, { ctx?: string; active?: string }>();
  /** By task id: ctx.traceId of each run, in order. */
  runs = new Map<string, (string | undefined)[]>();

  @TaskHandler('trace.probe')
  async probe(payload: { fail?: boolean; failFirst?: boolean }, ctx: TaskContext) {
    this.seen.set(ctx.taskId, { ctx: ctx.traceId, active: trace.getActiveSpan()?.spanContext().traceId });
    this.runs.set(ctx.taskId, [...(this.runs.get(ctx.taskId) ?? []), ctx.traceId]);
    ctx.progress({ processed: 1, total: 1 });
    await new Promise((r) => setImmediate(r));
    if (payload.fail || (payload.failFirst && ctx.attempt === 1)) throw new Error('failing on purpose');
    return 'ok';
  }
}

interface Rec {
  type: string;
  traceparent?: string;
}

describe('traces: the traceparent of the enqueuing request', () => {
  let engine: TestEngine;
  let consumer: Consumer;
  const byTask = new Map<string, Rec[]>();

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncContextManager());
    engine = await startEngine({ label: 'traces', handlers: [TraceProbe] });
    const kafka = new Kafka({ brokers: loadDevConfig().brokers, logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({ groupId: `traces-reader-${engine.prefix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topicsFor(engine.prefix).events, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = String(message.key);
        const rec = { type: String(message.headers?.['event-type']), traceparent: message.headers?.traceparent?.toString() };
        byTask.set(key, [...(byTask.get(key) ?? []), rec]);
      },
    });
  });
  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    await engine?.stop();
    context.disable();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const enqueue = async (payload: object, headers: Record<string, string> = {}, options: object = {}) =>
    (await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'trace.probe', payload, ...options }, headers })).body
      .id as string;
  const eventsUntil = (id: string, last: string, count = 1) =>
    waitFor(() => ((byTask.get(id) ?? []).filter((r) => r.type === last).length >= count ? byTask.get(id)! : null));

  it('reaches the handler and every event of the task, completed or failed', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const traceparent = `00-${traceId}-b7ad6b7169203331-01`;
    const ok = await enqueue({}, { traceparent });
    const failed = await enqueue({ fail: true }, { traceparent });
    const handlers = engine.app.get(TraceProbe);

    for (const [id, last] of [
      [ok, 'task.completed'],
      [failed, 'task.failed'],
    ]) {
      const events = await eventsUntil(id, last);
      expect(events.map((e) => e.type)).toEqual(['task.enqueued', 'task.queued', 'task.started', 'task.progressed', last]);
      for (const e of events) expect(e.traceparent).toBe(traceparent);
      expect(handlers.seen.get(id)).toEqual({ ctx: traceId, active: traceId });
    }
  });

  it('leaves a task without (or with an invalid) traceparent untraced', async () => {
    const plain = await enqueue({});
    const invalid = await enqueue({}, { traceparent: '00-not-a-trace' });
    for (const id of [plain, invalid]) {
      const events = await eventsUntil(id, 'task.completed');
      for (const e of events) expect(e.traceparent).toBeUndefined();
      const seen = engine.app.get(TraceProbe).seen.get(id)!;
      expect(seen.ctx).toBeUndefined();
      expect(isValidTraceId(seen.active ?? '')).toBe(false);
    }
  });

  describe('through the scheduler', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

    it('reaches a delayed task: its scheduled run and every one of its events', async () => {
      const id = await enqueue({}, { traceparent }, { runAt: new Date(Date.now() + 1000).toISOString() });
      const events = await eventsUntil(id, 'task.completed');
      expect(events.map((e) => e.type)).toEqual(['task.enqueued', 'task.queued', 'task.started', 'task.progressed', 'task.completed']);
      for (const e of events) expect([e.type, e.traceparent]).toEqual([e.type, traceparent]);
      expect(engine.app.get(TraceProbe).runs.get(id)).toEqual([traceId]);
    });

    it('reaches an automatic retry after backoff: both runs and every event', async () => {
      const id = await enqueue({ failFirst: true }, { traceparent }, { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 300 } });
      const events = await eventsUntil(id, 'task.completed');
      expect(events.map((e) => e.type)).toEqual([
        'task.enqueued',
        'task.queued',
        'task.started',
        'task.progressed',
        'task.failed',
        'task.queued',
        'task.started',
        'task.progressed',
        'task.completed',
      ]);
      for (const e of events) expect([e.type, e.traceparent]).toEqual([e.type, traceparent]);
      expect(engine.app.get(TraceProbe).runs.get(id)).toEqual([traceId, traceId]);
    });

    it("gives a manual retry the retry request's own trace, for its run and its events", async () => {
      const id = await enqueue({ failFirst: true }, { traceparent });
      await eventsUntil(id, 'task.failed');
      const retryTraceId = 'a3ce929d0e0e47364bf92f3577b34da6';
      const retryTraceparent = `00-${retryTraceId}-00f067aa0ba902b7-01`;
      const retried = await waitFor(async () => {
        const r = await http(`${engine.url}/v1/tasks/${id}/retry`, { method: 'POST', headers: { traceparent: retryTraceparent } });
        return r.status === 202 ? r : null;
      });
      expect(retried.body.status).toBe('queued');
      const events = await eventsUntil(id, 'task.completed');
      const after = events.slice(events.findIndex((e) => e.type === 'task.retry-requested'));
      expect(after.map((e) => e.type)).toEqual([
        'task.retry-requested',
        'task.queued',
        'task.started',
        'task.progressed',
        'task.completed',
      ]);
      for (const e of after) expect([e.type, e.traceparent]).toEqual([e.type, retryTraceparent]);
      expect(engine.app.get(TraceProbe).runs.get(id)).toEqual([traceId, retryTraceId]);
    });
  });
});
