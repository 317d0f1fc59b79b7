import { randomUUID } from 'node:crypto';
import { uuidv7 } from '../../src/common/ids';
import { loadDevConfig } from '../../src/config';
import { EventsConsumer, startEventsConsumer } from '../apps/events-consumer';
import { KafkaProbe } from '../support/dlq-reader';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

/** An event as a Tasklog of an earlier release wrote it: v1, without error.code. */
function v1(type: string, taskId: string, attempt: number, data: unknown) {
  return {
    key: taskId,
    value: JSON.stringify({ id: randomUUID(), type, v: 1, taskId, tenantId: 'default', at: new Date().toISOString(), attempt, data }),
    headers: { 'event-type': type, 'schema-version': '1', 'tenant-id': 'default', 'content-type': 'application/json' },
  };
}

describe('when task.failed records of v1 are still in Kafka', () => {
  let engine: TestEngine;
  let probe: KafkaProbe;
  let consumer: EventsConsumer;

  beforeAll(async () => {
    engine = await startEngine({ label: 'versions', handlers: [TestHandlers] });
    probe = new KafkaProbe(engine.prefix);
    await probe.start();
    consumer = await startEventsConsumer({
      brokers: loadDevConfig().brokers,
      eventsTopic: probe.topics.events,
      groupId: `${engine.prefix}.downstream`,
    });
  });
  afterAll(async () => {
    await consumer?.close();
    await probe?.stop();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('the projection, the history and the public decode all see v2, with a code', async () => {
    const taskId = uuidv7();
    await probe.send(probe.topics.events, [
      v1('task.enqueued', taskId, 0, { taskType: 'legacy.job', payload: { n: 1 } }),
      v1('task.queued', taskId, 1, { attempt: 1 }),
      v1('task.started', taskId, 1, { workerId: 'old-worker', attempt: 1 }),
      v1('task.failed', taskId, 1, { error: { name: 'RangeError', message: 'too far', retryable: false }, willRetry: false }),
    ]);

    const task = await waitFor(async () => {
      const body = (await http(`${engine.url}/v1/tasks/${taskId}`)).body;
      return body?.status === 'failed' ? body : null;
    });
    expect(task.error).toEqual({ name: 'RangeError', message: 'too far', code: 'RangeError' });

    const history = (await http(`${engine.url}/v1/tasks/${taskId}/events`)).body.items;
    expect(history.find((e: { type: string }) => e.type === 'task.failed').data.error).toEqual({
      name: 'RangeError',
      message: 'too far',
      retryable: false,
      code: 'RangeError',
    });

    const downstream = await waitFor(() => consumer.received.find((r) => r.event.taskId === taskId && r.event.type === 'task.failed'));
    expect(downstream.headers['schema-version']).toBe('1');
    expect(downstream.event.v).toBe(2);
    expect(downstream.event.data).toMatchObject({ error: { code: 'RangeError' } });
  });

  it('a task failing now writes v2 with its code and a stack, and says so in the schema-version header', async () => {
    const created = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.fail', payload: { message: 'boom' } } });
    const failed = await waitFor(() =>
      consumer.received.find((r) => r.event.taskId === created.body.id && r.event.type === 'task.failed' && !r.event.data.willRetry),
    );
    expect(failed.headers['schema-version']).toBe('2');
    expect(failed.event.v).toBe(2);
    if (failed.event.type !== 'task.failed') throw new Error('not a task.failed');
    expect(failed.event.data.error).toMatchObject({ name: 'TypeError', message: 'boom', code: 'TypeError' });
    expect(failed.event.data.error.stack).toMatch(/^TypeError: boom\n\s+at /);

    const task = await waitFor(async () => {
      const body = (await http(`${engine.url}/v1/tasks/${created.body.id}`)).body;
      return body?.status === 'failed' ? body : null;
    });
    expect(task.error).toEqual({ name: 'TypeError', message: 'boom', code: 'TypeError' });
  });
});
