import { Injectable } from '@nestjs/common';
import { TaskContext } from '../../src/worker/task-context';
import { TaskHandler } from '../../src/worker/task-handler.decorator';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { waitFor } from '../support/wait-for';

type Line = Record<string, any>;

@Injectable()
class LoggingHandlers {
  @TaskHandler('log.say')
  say(payload: { word: string }, ctx: TaskContext) {
    ctx.log.write('info', 'handler says', { word: payload.word });
    return { said: payload.word };
  }

  @TaskHandler('log.boom', { maxAttempts: 1 })
  boom() {
    throw new RangeError('kaboom in the handler');
  }
}

describe('structured logs (pino)', () => {
  let engine: TestEngine;
  const lines: Line[] = [];
  const find = (pred: (l: Line) => boolean) => lines.find(pred);
  const enqueue = (type: string, payload: unknown, headers: Record<string, string> = {}) =>
    http(`${engine.url}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: 'Bearer acme-key', ...headers },
      json: { type, payload },
    });

  beforeAll(async () => {
    engine = await startEngine({
      label: 'logs',
      handlers: [LoggingHandlers],
      config: { logLevel: 'info', apiKeys: { 'acme-key': 'acme' } },
      logDestination: { write: (s: string) => void lines.push(JSON.parse(s)) },
    });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it("writes a handler's ctx.log line as one JSON object carrying task id, type, attempt and tenant", async () => {
    const res = await enqueue('log.say', { word: 'hello' });
    expect(res.status).toBe(202);
    const line = await waitFor(() => find((l) => l.msg === 'handler says' && l.taskId === res.body.id), { what: 'the ctx.log line' });
    expect(line).toMatchObject({
      level: 'info',
      service: 'tasklog',
      component: 'worker',
      taskId: res.body.id,
      taskType: 'log.say',
      attempt: 1,
      tenantId: 'acme',
      word: 'hello',
    });
    expect(typeof line.workerId).toBe('string');
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('logs each request once with its id, keeping the caller’s x-request-id and echoing it', async () => {
    const res = await enqueue('log.say', { word: 'traced' }, { 'x-request-id': 'req-from-caller-42' });
    expect(res.headers.get('x-request-id')).toBe('req-from-caller-42');
    const line = await waitFor(() => find((l) => l.req?.id === 'req-from-caller-42'), { what: 'the request line' });
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request completed',
      req: { id: 'req-from-caller-42', method: 'POST', url: '/v1/tasks' },
      res: { statusCode: 202 },
    });
    expect(typeof line.responseTime).toBe('number');
    // The API key is never written out.
    expect(JSON.stringify(lines)).not.toContain('acme-key');

    const fresh = await http(`${engine.url}/v1/tasks?limit=1`, { headers: { 'x-request-id': 'not an id {"level":"fatal"}' } });
    const generated = fresh.headers.get('x-request-id')!;
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => find((l) => l.req?.id === generated), { what: 'the request line under a generated id' });
  });

  it('leaves health probes and metric scrapes out of the request log', async () => {
    await http(`${engine.url}/health/live`, { headers: { 'x-request-id': 'probe-1' } });
    await http(`${engine.url}/metrics`, { headers: { 'x-request-id': 'scrape-1' } });
    await http(`${engine.url}/v1/stats`, { headers: { 'x-request-id': 'after-probes' } });
    await waitFor(() => find((l) => l.req?.id === 'after-probes'), { what: 'the request line after the probes' });
    expect(find((l) => l.req?.id === 'probe-1' || l.req?.id === 'scrape-1')).toBeUndefined();
  });

  it("keeps a failing handler's error with its stack", async () => {
    const res = await enqueue('log.boom', {});
    const line = await waitFor(() => find((l) => l.msg === 'task failed' && l.taskId === res.body.id), { what: 'the failure line' });
    expect(line).toMatchObject({
      level: 'warn',
      taskType: 'log.boom',
      tenantId: 'acme',
      err: { type: 'RangeError', message: 'kaboom in the handler' },
    });
    expect(line.err.stack).toMatch(/RangeError: kaboom in the handler\n\s+at /);
    expect(line.err.stack).toContain('structured-logs.spec.ts');
  });

  it("routes Nest's own messages through the same logger", () => {
    expect(find((l) => l.context === 'NestApplication' && l.msg === 'Nest application successfully started')).toBeDefined();
  });
});
