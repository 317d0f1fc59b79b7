import { randomUUID } from 'node:crypto';
import { cleanup, http, isolation, sql, startEngine, TestEngine } from '../support/engine';
import { KafkaProbe } from '../support/dlq-reader';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const OVERSIZED = 900 * 1024;

/** Four kinds of poison per topic: not JSON, the wrong shape, oversized, and an unknown type. */
function poisonFor(kind: 'event' | 'command', tag: string): { key: string; value: string | Buffer }[] {
  const taskId = randomUUID();
  const unknown =
    kind === 'event'
      ? { id: randomUUID(), type: 'task.exploded', v: 1, taskId, tenantId: 'default', at: new Date().toISOString(), attempt: 1, data: {} }
      : { taskId, tenantId: 'default', taskType: 'nobody.knows', payload: null, attempt: 1, enqueuedAt: new Date().toISOString() };
  return [
    { key: `${tag}-notjson`, value: '{{{ not json' },
    { key: `${tag}-shape`, value: JSON.stringify({ hello: 'world', attempt: 'one' }) },
    { key: `${tag}-oversized`, value: Buffer.alloc(OVERSIZED, '{') },
    { key: `${tag}-unknown`, value: JSON.stringify(unknown) },
  ];
}

describe('when poison records reach every topic the engine reads', () => {
  const iso = isolation('poison');
  let engine: TestEngine | null = null;
  let probe: KafkaProbe;
  const start = () => startEngine({ label: 'poison', handlers: [TestHandlers], prefix: iso.prefix, schema: iso.schema });

  beforeAll(async () => {
    engine = await start();
    probe = new KafkaProbe(iso.prefix);
    await probe.start();
  });
  afterAll(async () => {
    await probe?.stop();
    await engine?.stop();
    await cleanup(iso.prefix, iso.schema);
  });

  const runGoodTasks = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await http(`${engine!.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: { i } } });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    for (const id of ids) {
      await waitFor(async () => (await http(`${engine!.url}/v1/tasks/${id}`)).body.status === 'completed', {
        what: `good task ${id} to run and be projected`,
      });
    }
    return ids;
  };

  it('dead-letters each poison record once with its provenance, and good tasks still run, before and after a restart', async () => {
    const t = probe.topics;
    const targets: [string, 'event' | 'command'][] = [
      [t.events, 'event'],
      [t.commands.high, 'command'],
      [t.commands.normal, 'command'],
      [t.commands.low, 'command'],
    ];
    const sent: { key: string; topic: string }[] = [];
    for (const [topic, kind] of targets) {
      const records = poisonFor(kind, topic);
      // All into one partition: the dead letters of one batch must fit together too.
      await probe.send(
        topic,
        records.map((r) => ({ ...r, partition: 0 })),
      );
      sent.push(...records.map((r) => ({ key: r.key, topic })));
    }

    // The control topic is a broadcast every worker reads: its poison is skipped with a warning by
    // each worker (a dead letter per worker would repeat it), and must not stop cancels or tasks.
    await probe.send(t.control, poisonFor('command', t.control));

    const before = await runGoodTasks(5);
    const letters = await waitFor(() => (sent.every((s) => probe.dead.some((d) => d.key === s.key)) ? probe.dead : null), {
      timeoutMs: 60000,
      what: `a dead letter for each of ${sent.length} poison records`,
    });
    for (const s of sent) {
      const l = letters.filter((d) => d.key === s.key);
      expect(l).toHaveLength(1);
      expect(l[0].headers).toMatchObject({ 'dlq-source-topic': s.topic, 'dlq-source-partition': '0' });
      expect(l[0].headers['dlq-source-offset']).toMatch(/^\d+$/);
      expect(l[0].headers['dlq-reason'].length).toBeGreaterThan(5);
      if (s.key.endsWith('oversized')) {
        expect(l[0].headers['dlq-truncated']).toBe('true');
        expect(l[0].headers['dlq-original-bytes']).toBe(String(OVERSIZED));
      }
    }
    expect(letters.find((d) => d.key.endsWith('commands.normal-unknown'))!.headers['dlq-reason']).toMatch(/nobody\.knows/);

    // A restart neither replays the poison nor reruns what finished.
    await engine!.stop();
    engine = await start();
    const after = await runGoodTasks(5);
    const dlqCount = probe.dead.length;
    const runs = await sql<{ task_id: string; n: string }>(
      iso.schema,
      `select task_id, count(*) as n from task_events where type = 'task.started' and task_id = any($1::uuid[]) group by task_id`,
      [[...before, ...after]],
    );
    expect(runs.map((r) => Number(r.n))).toEqual(Array(10).fill(1));
    expect(probe.dead.length).toBe(dlqCount);
    expect(probe.dead.filter((d) => sent.some((s) => s.key === d.key))).toHaveLength(sent.length);
    expect(probe.dead.filter((d) => d.headers['dlq-source-topic'] === t.control)).toHaveLength(0);
  }, 120000);
});
