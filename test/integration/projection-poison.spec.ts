import { randomUUID } from 'node:crypto';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { KafkaProbe } from '../support/dlq-reader';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

/** A well-formed event envelope, as any producer could write it to the events topic. */
function envelope(taskId: string, type: string, attempt: number, data: unknown): string {
  return JSON.stringify({ id: randomUUID(), type, v: 1, taskId, tenantId: 'default', at: new Date().toISOString(), attempt, data });
}

describe('when a value Postgres refuses reaches the read model', () => {
  let engine: TestEngine;
  let probe: KafkaProbe;

  beforeAll(async () => {
    engine = await startEngine({ label: 'projpoison', handlers: [TestHandlers] });
    probe = new KafkaProbe(engine.prefix);
    await probe.start();
  });
  afterAll(async () => {
    await probe?.stop();
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const task = (id: string) => http(`${engine.url}/v1/tasks/${id}`);

  it('refuses a payload string holding \\u0000 with 400 naming the field, before anything is published', async () => {
    const r = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: { note: 'a\u0000b' } } });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/payload\.note contains a NUL/);
  });

  it('dead-letters refused events with the reason, marks their tasks, and every partition moves on', async () => {
    // Written straight to the topic, as a buggy producer would: the API never lets these in.
    const nulTask = randomUUID();
    const enqueued = {
      taskType: 'test.echo',
      payload: { note: 'a\u0000b' },
      priority: 5,
      maxAttempts: 1,
      backoff: { type: 'fixed', delayMs: 0 },
    };
    const good = await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: 'victim' } });
    await waitFor(async () => (await task(good.body.id)).body.status === 'completed', { what: 'the victim task to complete' });
    // Schema-valid, but attempt overflows Postgres' int: only the insert can tell.
    const overflow = envelope(good.body.id, 'task.progressed', 3_000_000_000, { message: 'late' });
    for (let p = 0; p < 3; p++) {
      await probe.send(probe.topics.events, [{ key: nulTask, value: envelope(nulTask, 'task.enqueued', 0, enqueued), partition: p }]);
    }
    await probe.send(probe.topics.events, [{ key: good.body.id, value: overflow }]);

    const after = await Promise.all(
      Array.from({ length: 6 }, (_, i) => http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: { i } } })),
    );
    for (const r of after) {
      await waitFor(async () => (await task(r.body.id)).body.status === 'completed', {
        what: `task ${r.body.id} to complete after the poison`,
      });
    }

    const nul = await waitFor(async () => ((await task(nulTask)).status === 200 ? (await task(nulTask)).body : null), {
      what: 'the refused task to be visible with its mark',
    });
    expect(nul.projectionError.reason).toMatch(/NUL/);
    expect(nul.payload).toBeNull();
    const victim = await waitFor(async () => (await task(good.body.id)).body.projectionError, { what: 'the mark on the victim' });
    expect(victim.eventType).toBe('task.progressed');
    expect(victim.reason).toMatch(/Postgres refused the event/);
    expect((await task(good.body.id)).body.status).toBe('completed');

    const letters = await waitFor(() => {
      const l = probe.dead.filter((d) => d.key === nulTask || d.key === good.body.id);
      return l.length >= 4 ? l : null;
    });
    for (const l of letters) {
      expect(l.headers['dlq-source-topic']).toBe(probe.topics.events);
      expect(l.headers['dlq-source-offset']).toMatch(/^\d+$/);
      expect(l.headers['dlq-reason']).toMatch(/NUL|Postgres refused/);
    }
  });
});
