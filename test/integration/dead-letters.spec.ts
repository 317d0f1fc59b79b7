import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config';
import { topicsFor } from '../../src/kafka/topics';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

interface DeadLetter {
  key: string;
  value: string;
  headers: Record<string, string>;
}

describe('when a bad message reaches the engine', () => {
  let engine: TestEngine;
  const kafka = new Kafka({ brokers: loadConfig().brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `dlq-reader-${Date.now()}` });
  const dead: DeadLetter[] = [];

  beforeAll(async () => {
    engine = await startEngine({ label: 'dlq', handlers: [TestHandlers] });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: topicsFor(engine.prefix).dlq, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        dead.push({ key: String(message.key), value: String(message.value), headers });
      },
    });
  });
  afterAll(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('dead-letters a malformed event with its reason and provenance, and the projection moves on', async () => {
    const topics = topicsFor(engine.prefix);
    await producer.send({ topic: topics.events, messages: [{ key: 'junk-1', value: '{"type":"task.started","v":1}', partition: 0 }] });
    const after = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: 'after the junk' } });

    const letter = await waitFor(() => dead.find((d) => d.key === 'junk-1'), { what: 'the dead letter' });
    expect(letter.headers['dlq-source-topic']).toBe(topics.events);
    expect(letter.headers['dlq-source-partition']).toBe('0');
    // The reason names each missing field, not just that something was invalid.
    for (const field of ['id', 'taskId', 'tenantId', 'at', 'attempt', 'data']) {
      expect(letter.headers['dlq-reason']).toMatch(new RegExp(`(^|; )${field}: `));
    }
    expect(letter.value).toBe('{"type":"task.started","v":1}');

    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${after.body.id}`)).body.status === 'completed', {
      what: 'the next task to complete and be projected',
    });
  });

  it('dead-letters a malformed run command, and the worker keeps running tasks', async () => {
    const topics = topicsFor(engine.prefix);
    await producer.send({ topic: topics.commands.normal, messages: [{ key: 'junk-2', value: 'not json at all' }] });
    const letter = await waitFor(() => dead.find((d) => d.key === 'junk-2'), { what: 'the dead letter' });
    expect(letter.headers['dlq-source-topic']).toBe(topics.commands.normal);
    expect(letter.headers['dlq-reason']).toMatch(/malformed run command/);

    const next = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: 'still alive' } });
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${next.body.id}`)).body.status === 'completed');
  });
});
