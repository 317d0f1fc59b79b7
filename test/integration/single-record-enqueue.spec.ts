import { Kafka, logLevel } from 'kafkajs';
import { loadDevConfig } from '../../src/config';
import { topicsFor } from '../../src/kafka/topics';
import { cleanup, http, isolation, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

// ADR 0009: an enqueue is one lane record; the projector shows the task from it at once, and the
// worker that takes it appends task.enqueued and task.queued to the events topic, in order.
describe('a single-record enqueue', () => {
  const iso = isolation('onerecord');
  const admin = new Kafka({ brokers: loadDevConfig().brokers, logLevel: logLevel.NOTHING }).admin();
  const topics = topicsFor(iso.prefix);
  let api: TestEngine | null = null;
  let worker: TestEngine | null = null;

  const records = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);

  beforeAll(async () => {
    await admin.connect();
    api = await startEngine({ label: 'onerecord', handlers: [TestHandlers], ...iso, config: { roles: ['api', 'projector'] } });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await admin.disconnect();
    await cleanup(iso.prefix, iso.schema);
  });

  it('is visible as queued before any worker runs, and its events reach the events topic when a worker takes it', async () => {
    const res = await http(`${api!.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: { n: 1 }, priority: 8 } });
    expect(res.status).toBe(202);
    const id: string = res.body.id;

    // No worker: the lane preview alone makes the task visible.
    const queued = await waitFor(
      async () => {
        const r = await http(`${api!.url}/v1/tasks/${id}`);
        return r.status === 200 ? r.body : null;
      },
      { what: 'the queued task to be visible without a worker' },
    );
    expect(queued).toMatchObject({ status: 'queued', type: 'test.echo', payload: { n: 1 }, priority: 8 });
    expect(queued.queuedAt).toBe(queued.createdAt);
    expect(await records(topics.commands.high)).toBe(1);
    expect(await records(topics.events)).toBe(0);
    expect((await http(`${api!.url}/v1/tasks/${id}/events`)).body.items).toEqual([]);

    // A worker takes it: the carried events come first, with the enqueue's time.
    worker = await startEngine({ label: 'onerecord', handlers: [TestHandlers], ...iso, config: { roles: ['worker'] } });
    const done = await waitFor(
      async () => {
        const r = await http(`${api!.url}/v1/tasks/${id}`);
        return r.body.status === 'completed' ? r.body : null;
      },
      { what: 'the task to complete' },
    );
    expect(done.createdAt).toBe(queued.createdAt);
    expect(done.queuedAt).toBe(queued.queuedAt);
    const events: { type: string; at: string }[] = (await http(`${api!.url}/v1/tasks/${id}/events`)).body.items;
    expect(events.map((e) => e.type).filter((t) => t !== 'task.progressed')).toEqual([
      'task.enqueued',
      'task.queued',
      'task.started',
      'task.completed',
    ]);
    expect(events[0].at).toBe(queued.createdAt);
    // One record on the lane per enqueue, never more.
    expect(await records(topics.commands.high)).toBe(1);
  });
});
