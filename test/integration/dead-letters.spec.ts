import { Kafka, logLevel } from 'kafkajs';
import { TaskClientService } from '../../src/client/task-client.service';
import { uuidv7 } from '../../src/common/ids';
import { loadDevConfig } from '../../src/config';
import { RunCommand } from '../../src/events';
import { topicsFor } from '../../src/kafka/topics';
import { cleanup, http, sql, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

interface DeadLetter {
  key: string;
  value: string;
  headers: Record<string, string>;
}

describe('when a bad message reaches the engine', () => {
  let engine: TestEngine;
  const kafka = new Kafka({ brokers: loadDevConfig().brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId: `dlq-reader-${Date.now()}` });
  const dead: DeadLetter[] = [];

  beforeAll(async () => {
    engine = await startEngine({ label: 'dlq', handlers: [TestHandlers] });
    await producer.connect();
    await admin.connect();
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
    await admin.disconnect();
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

  const eventsOf = async (taskId: string) =>
    sql<{ type: string; data: Record<string, unknown> }>(
      engine.schema,
      `select type, data from task_events where task_id = $1 order by at, event_id`,
      [taskId],
    );

  /** Waits until the workers' group has committed past `offset` on a command partition: the worker is done with it. */
  const workerPassed = (topic: string, partition: number, offset: string) =>
    waitFor(
      async () => {
        const [t] = await admin.fetchOffsets({ groupId: `${engine.prefix}.workers`, topics: [topic] });
        return Number(t.partitions.find((p) => p.partition === partition)?.offset ?? -1) > Number(offset);
      },
      { what: `the workers to commit past offset ${offset}` },
    );

  it('dead-letters a run command for a task type no worker here knows, without failing the task', async () => {
    const topics = topicsFor(engine.prefix);
    const command: RunCommand = {
      taskId: uuidv7(),
      tenantId: 'acme',
      taskType: 'billing.unknown',
      payload: { n: 1 },
      attempt: 2,
      enqueuedAt: new Date().toISOString(),
    };
    const [sent] = await producer.send({
      topic: topics.commands.normal,
      messages: [{ key: command.taskId, value: JSON.stringify(command), headers: { 'tenant-id': 'acme' } }],
    });
    const letter = await waitFor(() => dead.find((d) => d.key === command.taskId), { what: 'the dead letter' });
    expect(letter.headers['dlq-reason']).toMatch(/no handler for task type "billing.unknown"/);
    expect(letter.headers['tenant-id']).toBe('acme');
    expect(letter.headers['dlq-attempt']).toBe('2');
    expect(JSON.parse(letter.value)).toEqual(command);

    await workerPassed(topics.commands.normal, sent.partition, sent.baseOffset!);
    const next = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: 'good tasks keep running' } });
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${next.body.id}`)).body.status === 'completed');
    expect(await eventsOf(command.taskId)).toEqual([]);
  });

  it('runs a task once when its run command arrives twice (duplicate enqueues under one idempotency key)', async () => {
    const topics = topicsFor(engine.prefix);
    const handlers = engine.app.get(TestHandlers);
    const task = await engine.app.get(TaskClientService).enqueue('test.echo', 'once');
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${task.id}`)).body.status === 'completed');
    const duplicate: RunCommand = {
      taskId: task.id,
      tenantId: task.tenantId,
      taskType: 'test.echo',
      payload: 'once',
      attempt: 1,
      enqueuedAt: new Date().toISOString(),
    };
    const [sent] = await producer.send({ topic: topics.commands.normal, messages: [{ key: task.id, value: JSON.stringify(duplicate) }] });
    await workerPassed(topics.commands.normal, sent.partition, sent.baseOffset!);

    expect(handlers.runs.get(task.id)).toBe(1);
    expect((await eventsOf(task.id)).filter((e) => e.type === 'task.started')).toHaveLength(1);
  });

  describe('when a handler returns a value Postgres or the payload limit refuses', () => {
    it.each([
      ['a NUL character', { json: '{"text":"a\\u0000b"}' }, /result.text contains a NUL/],
      ['an unpaired surrogate', { json: '{"text":"a\\ud800b"}' }, /unpaired UTF-16 surrogate/],
      ['too deep a nesting', { json: '['.repeat(80) + ']'.repeat(80) }, /nests deeper than 64 levels/],
      ['more bytes than the payload limit', { repeat: 1024 * 1024 + 1 }, /the limit is 1048576/],
    ])('fails the task with ResultNotStorable for %s, and the projection moves on', async (_what, payload, message) => {
      const task = await engine.app.get(TaskClientService).enqueue('test.result', payload);
      const state = await waitFor(
        async () => {
          const body = (await http(`${engine.url}/v1/tasks/${task.id}`)).body;
          return body.status === 'failed' ? body : null;
        },
        { what: 'the task to fail' },
      );
      expect(state.error).toMatchObject({ name: 'ResultNotStorable', message: expect.stringMatching(message) });
      // The task ends failed, so it is dead-lettered as exhausted; nothing of it is poison to the projector.
      expect(dead.filter((d) => d.key === task.id && d.headers['dlq-kind'] !== 'task-exhausted')).toEqual([]);
    });
  });
});
