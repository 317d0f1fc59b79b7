import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { rawHead, rawRequest } from '../support/raw-http';
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

  const isProblem = (r: { status: number; body: any; headers: Headers | Record<string, string> }, status: number) => {
    expect(r.status).toBe(status);
    const type = r.headers instanceof Headers ? r.headers.get('content-type') : r.headers['content-type'];
    expect(type).toContain('application/problem+json');
    expect(r.body.status).toBe(status);
  };

  it.each(['gzip', 'deflate', 'br'])('answers 400 problem+json for a plain body that claims content-encoding %s', async (encoding) => {
    const r = await http(`${engine.url}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      body: JSON.stringify({ type: 'test.echo' }),
    });
    isProblem(r, 400);
  });

  it.each(['type', 'status', 'cursor'])('answers 400 naming %s when the query holds a NUL that Postgres cannot take', async (name) => {
    const r = await http(`${engine.url}/v1/tasks?${name}=a%00b`);
    isProblem(r, 400);
    expect(r.body.detail).toMatch(new RegExp(`${name}: contains a NUL`));
  });

  it.each(['/v1/tasks/%00', '/v1/tasks/%00/events'])('answers 400 naming the id for %s', async (path) => {
    const r = await http(`${engine.url}${path}`);
    isProblem(r, 400);
    expect(r.body.detail).toMatch(/invalid id: contains a NUL/);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])('answers 415 problem+json for a %s body', async (_, contentType) => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', headers: { 'content-type': contentType }, body: 'type=test.echo' });
    isProblem(r, 415);
    expect(r.body.detail).toContain(contentType);
  });

  it('answers 415 problem+json for a body without a content-type', async () => {
    const r = await rawRequest(engine.url, rawHead('POST', '/v1/tasks', {}, JSON.stringify({ type: 'test.echo' })));
    isProblem(r, 415);
  });

  it.each(['application/json; charset=utf-8', 'application/vnd.acme.task+json'])('accepts a JSON body sent as %s', async (contentType) => {
    const r = await http(`${engine.url}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: JSON.stringify({ type: 'test.echo' }),
    });
    expect(r.status).toBe(202);
  });

  it('answers 400 problem+json, not a bare 400, for a request whose content-length lies', async () => {
    const body = JSON.stringify({ type: 'test.echo' });
    const r = await rawRequest(
      engine.url,
      rawHead('POST', '/v1/tasks', { 'content-type': 'application/json', 'content-length': 'abc' }, body),
    );
    isProblem(r, 400);
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
