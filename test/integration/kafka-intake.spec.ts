import { ClientKafka } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { lastValueFrom, timeout } from 'rxjs';
import { deterministicId } from '../../src/common/ids';
import { loadDevConfig } from '../../src/config';
import { EventsConsumer, startEventsConsumer } from '../apps/events-consumer';
import { KafkaProbe } from '../support/dlq-reader';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

describe('when other services talk to Tasklog over Kafka', () => {
  const brokers = loadDevConfig().brokers;
  const acme = { 'x-api-key': 'acme-key' };
  const byDefault = { 'x-api-key': 'default-key' };
  let engine: TestEngine;
  let probe: KafkaProbe;
  let client: ClientKafka;
  let requester: ClientKafka;
  let consumer: EventsConsumer;
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    engine = await startEngine({
      label: 'intake',
      handlers: [TestHandlers],
      config: { apiKeys: { 'acme-key': 'acme', 'default-key': 'default' } },
      logDestination: { write: (line: string) => void logs.push(JSON.parse(line)) },
    });
    probe = new KafkaProbe(engine.prefix);
    await probe.start();
    // A stock Nest producer, default serializer: what a downstream team's app would use.
    client = new ClientKafka({ client: { clientId: 'intake-test', brokers }, producerOnlyMode: true });
    await client.connect();
    // A stock Nest request-reply client; it listens on <requests>.reply, which the engine creates.
    requester = new ClientKafka({
      client: { clientId: 'intake-reply-test', brokers },
      consumer: { groupId: `${engine.prefix}.nest-caller` },
      subscribe: { fromBeginning: true },
    });
    requester.subscribeToResponseOf(probe.topics.requests);
    await requester.connect();
    consumer = await startEventsConsumer({ brokers, eventsTopic: probe.topics.events, groupId: `${engine.prefix}.downstream` });
  });
  afterAll(async () => {
    await consumer?.close();
    await client?.close();
    await requester?.close();
    await probe?.stop();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const task = async (id: string) => (await http(`${engine.url}/v1/tasks/${id}`, { headers: acme })).body;

  /** Every request written so far has been handled (the intake group committed up to the end). */
  const intakeCaughtUp = async () => {
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(probe.topics.requests);
      const [committed] = await admin.fetchOffsets({ groupId: `${engine.prefix}.intake`, topics: [probe.topics.requests] });
      const at = (partition: number) => Math.max(0, Number(committed.partitions.find((p) => p.partition === partition)?.offset ?? -1));
      return ends.every((e) => at(e.partition) === Number(e.high));
    } finally {
      await admin.disconnect();
    }
  };

  it('a ClientKafka.emit becomes a completed task of the tenant in its header, and a downstream @EventPattern app sees it complete', async () => {
    await lastValueFrom(
      client.emit(probe.topics.requests, {
        key: 'order-42',
        value: { type: 'test.echo', payload: { order: 42 }, priority: 8, labels: { source: 'nest' } },
        headers: { 'tenant-id': 'acme' },
      }),
    );
    const id = deterministicId('tasklog', 'acme', 'order-42');
    const done = await waitFor(async () => ((await task(id))?.status === 'completed' ? task(id) : null), { what: 'the task to complete' });
    expect(done).toMatchObject({
      tenantId: 'acme',
      type: 'test.echo',
      priority: 8,
      labels: { source: 'nest' },
      idempotencyKey: 'order-42',
    });
    expect(done.result).toEqual({ echoed: { order: 42 } });

    const completed = await waitFor(() => consumer.received.find((r) => r.event.taskId === id && r.event.type === 'task.completed'), {
      what: 'the downstream app to receive task.completed',
    });
    expect(completed.event.data).toMatchObject({ result: { echoed: { order: 42 } } });
    expect(completed.key).toBe(id);
    expect(completed.headers).toMatchObject({ 'event-type': 'task.completed', 'schema-version': '1', 'tenant-id': 'acme' });
  });

  it('a request without key or headers (plain emit of the object) runs for the default tenant', async () => {
    await lastValueFrom(client.emit(probe.topics.requests, { type: 'test.echo', payload: 'plain' }));
    const seen = await waitFor(() => consumer.received.find((r) => r.event.type === 'task.enqueued' && r.event.data.payload === 'plain'), {
      what: 'the plain request to be enqueued',
    });
    expect(seen.headers['tenant-id']).toBe('default');
    await waitFor(
      async () => (await http(`${engine.url}/v1/tasks/${seen.event.taskId}`, { headers: byDefault })).body?.status === 'completed',
    );
  });

  it('a request delivered twice under one key enqueues one task', async () => {
    for (let i = 0; i < 2; i++) {
      await lastValueFrom(client.emit(probe.topics.requests, { key: 'twice', value: { type: 'test.echo', payload: 'once' } }));
    }
    await waitFor(intakeCaughtUp, { what: 'the intake to handle both copies' });
    const id = deterministicId('tasklog', 'default', 'twice');
    await waitFor(() => consumer.received.find((r) => r.event.taskId === id && r.event.type === 'task.completed'));
    expect(consumer.received.filter((r) => r.event.taskId === id && r.event.type === 'task.enqueued')).toHaveLength(1);
  });

  it.each([
    ['an option out of range', { type: 'test.echo', payload: 1, priority: 99 }, /priority/],
    ['an unknown option', { type: 'test.echo', payload: 1, colour: 'red' }, /colour/],
    ['an unknown task type', { type: 'no.such.type', payload: 1 }, /unknown task type "no.such.type"/],
    ['no type', { payload: 1 }, /type/],
  ])('a request with %s lands in the DLQ with its reason', async (_what, value, reason) => {
    const key = `bad-${Math.random().toString(36).slice(2)}`;
    await lastValueFrom(client.emit(probe.topics.requests, { key, value, headers: { 'tenant-id': 'acme' } }));
    const letter = await waitFor(() => probe.dead.find((d) => d.key === key), { what: 'the dead letter' });
    expect(letter.headers['dlq-kind']).toBe('poison');
    expect(letter.headers['dlq-source-topic']).toBe(probe.topics.requests);
    expect(letter.headers['dlq-reason']).toMatch(reason);
    expect(letter.headers['tenant-id']).toBe('acme');
    expect(JSON.parse(letter.value.toString())).toEqual(value);
  });

  it('a value that is not JSON lands in the DLQ and the intake moves on', async () => {
    await probe.send(probe.topics.requests, [{ key: 'junk', value: 'not json at all' }]);
    const letter = await waitFor(() => probe.dead.find((d) => d.key === 'junk'));
    expect(letter.headers['dlq-reason']).toMatch(/not JSON/);
    await lastValueFrom(client.emit(probe.topics.requests, { key: 'after-junk', value: { type: 'test.echo', payload: 'after' } }));
    const id = deterministicId('tasklog', 'default', 'after-junk');
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${id}`, { headers: byDefault })).body?.status === 'completed', {
      what: 'the next request to run',
    });
  });

  /** `ClientKafka.send` and wait for its one answer (or its error). */
  const send = (data: unknown) => lastValueFrom(requester.send(probe.topics.requests, data).pipe(timeout(45_000)));

  it('a ClientKafka.send resolves with the id of the task it enqueued, and that task completes', async () => {
    const reply = await send({ value: { type: 'test.echo', payload: 'asked' }, headers: { 'tenant-id': 'acme' } });
    expect(reply).toEqual({ taskId: expect.any(String), status: 'queued' });
    const done = await waitFor(async () => ((await task(reply.taskId))?.status === 'completed' ? task(reply.taskId) : null), {
      what: 'the task of the reply to complete',
    });
    expect(done).toMatchObject({ tenantId: 'acme', type: 'test.echo', result: { echoed: 'asked' } });
  });

  it('a repeated ClientKafka.send with the same idempotencyKey answers the same task', async () => {
    const request = { type: 'test.echo', payload: 'same', idempotencyKey: 'asked-twice' };
    const first = await send(request);
    const second = await send(request);
    expect(second.taskId).toBe(first.taskId);
    expect(first.taskId).toBe(deterministicId('tasklog', 'default', 'asked-twice'));
  });

  it('a refused ClientKafka.send fails with the reason, and the request is in the DLQ', async () => {
    const key = `bad-send-${Math.random().toString(36).slice(2)}`;
    const refused = send({ key, value: { type: 'no.such.type', payload: 1 } });
    await expect(refused).rejects.toMatchObject({
      status: 'error',
      code: 'UNKNOWN_TASK_TYPE',
      message: expect.stringMatching(/no.such.type/),
    });
    const letter = await waitFor(() => probe.dead.find((d) => d.key === key), { what: 'the dead letter' });
    expect(letter.headers['dlq-reason']).toMatch(/unknown task type "no.such.type"/);
  });

  it('a request naming another reply topic (here the DLQ) still runs, is not answered there, and the intake keeps answering others', async () => {
    const foreign = probe.topics.dlq;
    const headers = { kafka_correlationId: 'c-foreign', kafka_replyTopic: foreign, kafka_replyPartition: '0' };
    await probe.send(probe.topics.requests, [
      { key: 'reply-foreign', value: JSON.stringify({ type: 'test.echo', payload: 'x' }), headers },
    ]);
    const id = deterministicId('tasklog', 'default', 'reply-foreign');
    await waitFor(async () => (await http(`${engine.url}/v1/tasks/${id}`, { headers: byDefault })).body?.status === 'completed', {
      what: 'the task of the request to complete',
    });
    await waitFor(() => logs.find((l) => String(l.msg).startsWith('request names a reply topic other than') && l.replyTopic === foreign), {
      what: 'the intake to warn about the reply topic',
    });
    expect((await send({ type: 'test.echo', payload: 'meanwhile' })).taskId).toEqual(expect.any(String));
    expect(probe.dead.filter((d) => d.headers.kafka_correlationId === 'c-foreign')).toEqual([]);
  });
});
