import { Kafka, logLevel } from 'kafkajs';
import { JsonLogger } from '../../src/common/logger';
import { loadDevConfig } from '../../src/config';
import { KafkaClient, OrderedPublisher, transactionalIdFor } from '../../src/kafka';
import { KafkaService } from '../../src/kafka/kafka.service';
import { TaskClientService } from '../../src/client/task-client.service';
import { hostname } from 'node:os';
import { cleanup, http, isolation, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const config = loadDevConfig();
const admin = new Kafka({ brokers: config.brokers, logLevel: logLevel.NOTHING }).admin();

describe('when a send fails for one partition and succeeds for another', () => {
  const { prefix } = isolation('seq');
  const roomy = `${prefix}.roomy`;
  const tight = `${prefix}.tight`;
  const client = new KafkaClient({ brokers: config.brokers, clientId: 'seq-test', logger: new JsonLogger('error') });
  const publisher = new OrderedPublisher(client, () => 10 * 1024 * 1024);

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: roomy, numPartitions: 1 },
        { topic: tight, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] },
      ],
    });
  });
  afterAll(async () => {
    await publisher.close();
    await admin.deleteTopics({ topics: [roomy, tight] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('the idempotent producer starts clean instead of wedging on OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const msg = (topic: string, i: number, bytes = 10) => ({ topic, key: `k${i}`, value: Buffer.alloc(bytes, 'a') });
    await publisher.publish([msg(roomy, 0), msg(roomy, 1)]);
    // One request: the roomy partition accepts its records, the tight one refuses (too large).
    // kafkajs then winds back the roomy partition's sequence although the broker has the records.
    await expect(publisher.publish([msg(roomy, 2), msg(roomy, 3), msg(roomy, 4), msg(tight, 5, 5000)])).rejects.toThrow();
    await publisher.publish([msg(roomy, 6)]);
    await publisher.publish([msg(roomy, 7), msg(roomy, 8)]);
    const offsets = await admin.fetchTopicOffsets(roomy);
    expect(Number(offsets[0].high)).toBeGreaterThanOrEqual(6);
  });
});

describe('payload limits and the broker record limit', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine({ label: 'limits', handlers: [TestHandlers] });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('runs a payload just under the limit, together with the small enqueues sharing its transaction', async () => {
    const big = 'x'.repeat(1_048_000);
    const results = await Promise.all([
      http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.noop', payload: big } }),
      ...Array.from({ length: 5 }, (_, i) => http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: i } })),
    ]);
    expect(results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    for (const r of results) {
      await waitFor(async () => (await http(`${engine.url}/v1/tasks/${r.body.id}`)).body.status === 'completed', {
        what: `task ${r.body.id} to complete`,
      });
    }
  });

  it('answers 413 for a payload over the limit, and good enqueues beside it still succeed', async () => {
    const results = await Promise.all([
      http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.noop', payload: 'x'.repeat(1_048_577) } }),
      http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: 'beside' } }),
    ]);
    expect(results.map((r) => r.status)).toEqual([413, 202]);
    expect(results[0].headers.get('content-type')).toContain('application/problem+json');
  });

  it('creates its topics with room for a payload at the limit', async () => {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: `${engine.prefix}.events`, configNames: ['max.message.bytes'] }],
    });
    expect(Number(described.resources[0].configEntries[0].configValue)).toBeGreaterThan(config.maxPayloadBytes + 64 * 1024);
    expect(engine.app.get(KafkaService).recordLimit).toBeGreaterThan(config.maxPayloadBytes);
  });
});

describe('when a producer crashed with its transaction open', () => {
  let engine: TestEngine | null = null;
  const iso = isolation('fence');
  afterAll(async () => {
    await engine?.stop();
    await cleanup(iso.prefix, iso.schema);
  });

  it('the restarted instance fences it at once, so read_committed readers are not stuck until the timeout', async () => {
    // First life: create the topics, then die with a transaction open on every events partition.
    const first = await startEngine({ label: 'fence', handlers: [TestHandlers], prefix: iso.prefix, schema: iso.schema });
    await first.stop();
    const kafka = new Kafka({ brokers: config.brokers, logLevel: logLevel.NOTHING });
    const zombie = kafka.producer({
      transactionalId: transactionalIdFor(iso.prefix, 'enqueue', `${hostname()}-0`),
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60000,
    });
    await zombie.connect();
    const tx = await zombie.transaction();
    await tx.send({ topic: `${iso.prefix}.events`, messages: [0, 1, 2].map((partition) => ({ value: 'never committed', partition })) });
    // No commit, no abort: the process "died" here (its connection stays, as a hung process's would).

    engine = await startEngine({ label: 'fence', handlers: [TestHandlers], prefix: iso.prefix, schema: iso.schema });
    const tasks = await Promise.all(Array.from({ length: 6 }, (_, i) => engine!.app.get(TaskClientService).enqueue('test.echo', { i })));
    for (const t of tasks) {
      await waitFor(async () => (await http(`${engine!.url}/v1/tasks/${t.id}`)).body.status === 'completed', {
        timeoutMs: 20000,
        what: `task ${t.id} to be projected while the old transaction would still be open`,
      });
    }
    await zombie.disconnect().catch(() => undefined);
  });
});
