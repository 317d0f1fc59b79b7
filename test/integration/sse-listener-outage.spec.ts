import { loadDevConfig } from '../../src/config';
import { DemoHandlers } from '../../src/examples/demo.handlers';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { SseClient } from '../support/sse-client';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';

describe("when an API process's LISTEN connection is cut while the projector goes on", () => {
  let engine: TestEngine;
  let api: TestEngine;
  let proxy: TcpProxy;
  let client: SseClient | null = null;

  beforeAll(async () => {
    // Worker and projector (and an API) with a direct connection; a second, API-only engine
    // reaches Postgres through a proxy the test can cut.
    engine = await startEngine({ label: 'sselisten', handlers: [DemoHandlers], config: { progressIntervalMs: 0 } });
    const url = new URL(loadDevConfig().databaseUrl);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.host = `127.0.0.1:${proxy.port}`;
    api = await startEngine({
      label: 'sselisten',
      prefix: engine.prefix,
      schema: engine.schema,
      config: { roles: ['api'], databaseUrl: url.toString() },
    });
  });
  afterAll(async () => {
    client?.close();
    proxy?.restore();
    await api?.stop();
    await engine?.stop();
    await proxy?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const history = async (id: string) => (await http(`${engine.url}/v1/tasks/${id}/events`)).body.items as { id: string }[];

  it('its open stream gets the events it did not hear of once the connection is back, none twice, to the end', async () => {
    const id = (await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'demo.sleep', payload: { ms: 4000, steps: 40 } } }))
      .body.id as string;
    client = new SseClient(`${api.url}/v1/tasks/${id}/stream`);
    await waitFor(() => client!.messages.some((m) => m.data.type === 'task.progressed'), { what: 'the first progress' });

    proxy.cut();
    // The projector (direct connection) goes on to the task's end, notifying; this API hears none
    // of it, and no later notice will come: only the re-read after reconnecting can deliver it.
    const types = async () => ((await http(`${engine.url}/v1/tasks/${id}/events`)).body.items as { type: string }[]).map((e) => e.type);
    await waitFor(async () => (await types()).includes('task.completed'), { what: 'the task to end during the cut' });
    expect(client.messages.length).toBeLessThan((await history(id)).length);
    proxy.restore();

    await client.done;
    const received = client.messages.map((m) => m.data.eventId);
    expect(received).toEqual((await history(id)).map((e) => e.id));
    expect(client.messages.at(-1)!.data.type).toBe('task.completed');
  });
});
