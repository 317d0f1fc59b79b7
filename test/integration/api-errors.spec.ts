import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';

describe('the REST API given bad input', () => {
  let engine: TestEngine;
  const limit = 4096;

  beforeAll(async () => {
    engine = await startEngine({ label: 'apierr', handlers: [TestHandlers], config: { maxPayloadBytes: limit, roles: ['api'] } });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const post = (body: string) => http(`${engine.url}/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers 400 problem+json for a body that is not JSON', async () => {
    const r = await post('{"type": "test.echo", ');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ status: 400, title: 'Bad request' });
    expect(r.body.detail).toMatch(/JSON/);
  });

  it('answers 400 naming the field when the body has the wrong shape', async () => {
    const r = await post(JSON.stringify({ type: 'test.echo', priority: 42 }));
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/priority/);
  });

  it('answers 400 for a field it does not know, rather than ignoring it', async () => {
    const r = await post(JSON.stringify({ type: 'test.echo', prioritty: 3 }));
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/prioritty/);
  });

  it('answers 422 for a task type no handler is registered for', async () => {
    const r = await post(JSON.stringify({ type: 'no.such.type', payload: {} }));
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ status: 422, title: 'Unknown task type', taskType: 'no.such.type' });
  });

  it('answers 413 for a payload over the limit', async () => {
    const r = await post(JSON.stringify({ type: 'test.echo', payload: 'x'.repeat(limit + 10) }));
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ status: 413, limit });
  });

  it('answers 413 for a body far over the limit, before parsing it', async () => {
    const r = await post(JSON.stringify({ type: 'test.echo', payload: 'x'.repeat(limit + 100 * 1024) }));
    expect(r.status).toBe(413);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 404 for an id that is not a task id', async () => {
    const r = await http(`${engine.url}/v1/tasks/not-a-uuid`);
    expect(r.status).toBe(404);
  });

  it('answers 400 for a list filter with an unknown status', async () => {
    const r = await http(`${engine.url}/v1/tasks?status=done-ish`);
    expect(r.status).toBe(400);
  });
});

describe('when Kafka is unreachable', () => {
  let engine: TestEngine;

  beforeAll(async () => {
    engine = await startEngine({
      label: 'nobroker',
      handlers: [TestHandlers],
      config: { brokers: ['127.0.0.1:1'], roles: ['api'] },
      waitReady: false,
    });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema).catch(() => undefined);
  });

  it('answers 503 problem+json with a clear body, never 500', async () => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: {} } });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.headers.get('retry-after')).toBe('5');
    expect(r.body).toMatchObject({ status: 503, title: 'Broker unavailable' });
    expect(r.body.detail).toMatch(/Kafka is unavailable/);
  });

  it('reports not ready on /health/ready while staying live', async () => {
    expect((await http(`${engine.url}/health/live`)).status).toBe(200);
    expect((await http(`${engine.url}/health/ready`)).status).toBe(503);
  });
});
