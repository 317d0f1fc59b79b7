import { DemoHandlers } from '../../src/examples/demo.handlers';
import { StreamHub } from '../../src/stream/stream-hub';
import { ChildEngine } from '../support/child-engine';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { SseClient } from '../support/sse-client';
import { waitFor } from '../support/wait-for';

describe('when a second API process serves the stream', () => {
  let engine: TestEngine;
  let child: ChildEngine | null = null;
  let childUrl = '';
  const clients: SseClient[] = [];

  beforeAll(async () => {
    // Worker, projector and an API here; the child process runs only the API (dist build).
    engine = await startEngine({ label: 'ssereplica', handlers: [DemoHandlers], config: { progressIntervalMs: 0 } });
    child = new ChildEngine({ TASKLOG_ROLES: 'api', TASKLOG_TOPIC_PREFIX: engine.prefix, TASKLOG_DB_SCHEMA: engine.schema });
    const listening = await waitFor(() => child!.lines.find((l) => l.msg === 'tasklog listening'), { what: 'the child API to listen' });
    childUrl = String(listening.url);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await child?.kill('SIGKILL');
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('its clients get the events projected by the other process, live and to the end', async () => {
    const global = new SseClient(`${childUrl}/v1/stream`);
    clients.push(global);
    await waitFor(() => global.events.some((e) => e.event === 'ready'), { what: "the child's global stream" });

    const task = (await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'demo.sleep', payload: { ms: 1500, steps: 15 } } }))
      .body;
    const own = new SseClient(`${childUrl}/v1/tasks/${task.id}/stream`);
    clients.push(own);
    await own.done;

    expect(own.status).toBe(200);
    expect(own.messages.filter((m) => m.data.type === 'task.progressed').map((m) => m.data.data.processed)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    expect(own.messages.at(-1)!.data.task.status).toBe('completed');
    await waitFor(() => global.messages.some((m) => m.data.taskId === task.id && m.data.type === 'task.completed'));
    const history = (await http(`${engine.url}/v1/tasks/${task.id}/events`)).body.items as { id: string }[];
    expect(own.messages.map((m) => m.data.eventId)).toEqual(history.map((e) => e.id));
    // Nobody streamed from the projecting process: the child heard Postgres, not this process's memory.
    expect(engine.app.get(StreamHub).subscriberCount).toBe(0);
  });
});
