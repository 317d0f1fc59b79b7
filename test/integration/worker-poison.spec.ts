import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { TaskClientService } from '../../src/client/task-client.service';
import { loadDevConfig } from '../../src/config';
import { topicsFor } from '../../src/kafka/topics';
import { cleanup, http, isolation, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

/** The DLQ takes records up to this size at first: the poison command's dead letter does not fit. */
const SMALL_DLQ_BYTES = 1024;

describe('when a bad run command cannot be dead-lettered for a while', () => {
  const { prefix, schema } = isolation('poison');
  const topics = topicsFor(prefix);
  const kafka = new Kafka({ brokers: loadDevConfig().brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${prefix}.dlq-reader` });
  const dead: { key: string; reason: string }[] = [];
  let engine: TestEngine;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: topics.dlq, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(SMALL_DLQ_BYTES) }] }],
    });
    // One partition, so the poison command and the good ones share a commit point.
    engine = await startEngine({ label: 'poison', prefix, schema, handlers: [TestHandlers], config: { partitions: 1 } });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void dead.push({ key: String(message.key), reason: String(message.headers?.['dlq-reason']) }),
    });
  });
  afterAll(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
    await engine?.stop();
    await cleanup(prefix, schema);
  });

  const committed = async () => {
    const [t] = await admin.fetchOffsets({ groupId: `${prefix}.workers`, topics: [topics.commands.normal] });
    return Number(t.partitions[0].offset);
  };

  it('holds its offset while the DLQ refuses it, keeps running good tasks, then dead-letters it and moves on', async () => {
    const [poison] = await producer.send({
      topic: topics.commands.normal,
      messages: [{ key: 'poison-1', value: `not a run command ${'x'.repeat(2 * SMALL_DLQ_BYTES)}` }],
    });
    const client = engine.app.get(TaskClientService);
    const good = await Promise.all(Array.from({ length: 3 }, (_, i) => client.enqueue('test.echo', { i })));
    for (const t of good) {
      await waitFor(async () => (await http(`${engine.url}/v1/tasks/${t.id}`)).body.status === 'completed', {
        what: 'a good task to complete',
      });
    }
    // The poison is neither lost nor skipped: the commit point waits at it.
    expect(await committed()).toBeLessThanOrEqual(Number(poison.baseOffset));
    expect(dead).toEqual([]);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.dlq, configEntries: [{ name: 'max.message.bytes', value: '1048576' }] }],
    });
    const letter = await waitFor(() => dead.find((d) => d.key === 'poison-1'), { what: 'the dead letter once the DLQ takes it' });
    expect(letter.reason).toMatch(/malformed run command/);
    await waitFor(async () => (await committed()) > Number(poison.baseOffset), { what: 'the commit point to move past the poison' });
  }, 60000);
});
