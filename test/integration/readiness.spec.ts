import { loadDevConfig } from '../../src/config';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TcpProxy } from '../support/tcp-proxy';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

/**
 * Kafka and Postgres are reached through cuttable proxies. Kafka's advertised listener sends the
 * engine's long-lived clients straight to the broker after bootstrap, but the readiness probe
 * connects afresh to the configured (proxied) address, so cutting the proxy is what it sees.
 */
describe('readiness when a dependency goes away after start', () => {
  let engine: TestEngine;
  let pgProxy: TcpProxy;
  let kafkaProxy: TcpProxy;

  beforeAll(async () => {
    const config = loadDevConfig();
    const url = new URL(config.databaseUrl);
    pgProxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    const [kafkaHost, kafkaPort] = config.brokers[0].split(':');
    kafkaProxy = new TcpProxy(kafkaHost, Number(kafkaPort));
    await Promise.all([pgProxy.start(), kafkaProxy.start()]);
    url.host = `127.0.0.1:${pgProxy.port}`;
    engine = await startEngine({
      label: 'ready',
      handlers: [TestHandlers],
      config: { databaseUrl: url.toString(), brokers: [`127.0.0.1:${kafkaProxy.port}`], roles: ['api'] },
    });
  });
  afterAll(async () => {
    pgProxy?.restore();
    kafkaProxy?.restore();
    await engine?.stop();
    await Promise.all([pgProxy?.stop(), kafkaProxy?.stop()]);
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const ready = () => http(`${engine.url}/health/ready`);

  it('is ready while both answer, listing each check', async () => {
    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ready', checks: { kafka: { status: 'up' }, postgres: { status: 'up' } } });
  });

  it('turns not ready, naming Postgres, when Postgres goes away, and ready again when it is back', async () => {
    pgProxy.cut();
    const down = await waitFor(async () => ((await ready()).status === 503 ? ready() : null), { what: 'readiness to see Postgres down' });
    expect(down.headers.get('content-type')).toContain('application/problem+json');
    expect(down.body).toMatchObject({ status: 503, title: 'Not ready', code: 'NOT_READY' });
    expect(down.body.detail).toMatch(/postgres/);
    expect(down.body.checks.postgres.status).toBe('down');
    expect(down.body.checks.kafka.status).toBe('up');
    expect((await http(`${engine.url}/health/live`)).status).toBe(200);

    pgProxy.restore();
    await waitFor(async () => (await ready()).status === 200, { what: 'readiness to recover' });
  });

  it('turns not ready, naming Kafka, when the broker stops answering, and ready again when it is back', async () => {
    kafkaProxy.cut();
    const down = await waitFor(async () => ((await ready()).status === 503 ? ready() : null), { what: 'readiness to see Kafka down' });
    expect(down.body).toMatchObject({ status: 503, title: 'Not ready' });
    expect(down.body.detail).toMatch(/kafka/);
    expect(down.body.checks.kafka.status).toBe('down');
    expect(down.body.checks.postgres.status).toBe('up');

    kafkaProxy.restore();
    await waitFor(async () => (await ready()).status === 200, { what: 'readiness to recover' });
  });
});
