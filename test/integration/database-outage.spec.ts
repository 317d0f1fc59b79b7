import { loadDevConfig } from '../../src/config';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TcpProxy } from '../support/tcp-proxy';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('when Postgres goes down', () => {
  let engine: TestEngine;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const url = new URL(loadDevConfig().databaseUrl);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.host = `127.0.0.1:${proxy.port}`;
    engine = await startEngine({ label: 'pgdown', handlers: [TestHandlers], config: { databaseUrl: url.toString() } });
  });
  afterAll(async () => {
    proxy?.restore();
    await engine?.stop();
    await proxy?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('keeps accepting and running tasks, answers reads with 503, and the projection catches up', async () => {
    const before = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: 'before' } });
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${before.body.id}`)).body.status === 'completed');

    proxy.cut();
    const during = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: 'during' } });
    expect(during.status).toBe(202);
    const handlers = engine.app.get(TestHandlers);
    await waitFor(() => handlers.runs.get(during.body.id) === 1, { what: 'the worker to run the task while Postgres is down' });

    const read = await http(`${engine.url}/v1/tasks/${during.body.id}`);
    expect(read.status).toBe(503);
    expect(read.headers.get('content-type')).toContain('application/problem+json');

    proxy.restore();
    const task = await waitFor(
      async () => {
        const r = await http(`${engine.url}/v1/tasks/${during.body.id}`);
        return r.body.status === 'completed' ? r.body : null;
      },
      { timeoutMs: 60000, what: 'the projection to catch up' },
    );
    expect(task.result).toEqual({ echoed: 'during' });
    expect(handlers.runs.get(during.body.id)).toBe(1);
  }, 90000);
});
