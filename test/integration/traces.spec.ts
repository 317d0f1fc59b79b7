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

  @TaskHandler('trace.probe')
  async probe(payload: { fail?: boolean }, ctx: TaskContext) {
    this.seen.set(ctx.taskId, { ctx: ctx.traceId, active: trace.getActiveSpan()?.spanContext().traceId });
    ctx.progress({ processed: 1, total: 1 });
    await new Promise((r) => setImmediate(r));
    if (payload.fail) throw new Error('failing on purpose');
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

  const enqueue = async (payload: object, headers: Record<string, string> = {}) =>
    (await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'trace.probe', payload }, headers })).body.id as string;
  const eventsUntil = (id: string, last: string) =>
    waitFor(() => ((byTask.get(id) ?? []).some((r) => r.type === last) ? byTask.get(id)! : null));

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
});
