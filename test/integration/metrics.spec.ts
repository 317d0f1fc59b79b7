import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

/** The value of one sample in Prometheus text format, 0 when absent. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('GET /metrics', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    // A slower scheduler tick, so a scrape sees the due backlog its latest tick read.
    engine = await startEngine({ label: 'metrics', handlers: [TestHandlers], config: { schedulerIntervalMs: 1000 } });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const scrape = async () => {
    const r = await fetch(`${engine.url}/metrics`);
    expect(r.headers.get('content-type')).toContain('text/plain');
    return r.text();
  };

  it('counts tasks as they run: enqueued, started, completed, failed, durations, by type', async () => {
    const before = await scrape();
    const echo = '{type="test.echo"}';
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: i } })).body.id);
    const failing = (await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.fail', payload: {} } })).body.id;
    for (const id of [...ids, failing]) {
      await waitFor(async () => ['completed', 'failed'].includes((await http(`${engine.url}/v1/tasks/${id}`)).body.status));
    }
    const after = await waitFor(async () => {
      const t = await scrape();
      return sample(t, 'tasklog_tasks_completed_total', echo) - sample(before, 'tasklog_tasks_completed_total', echo) === 3 ? t : null;
    });
    const delta = (name: string, labels = echo) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('tasklog_tasks_enqueued_total')).toBe(3);
    expect(delta('tasklog_tasks_started_total')).toBe(3);
    expect(delta('tasklog_task_duration_seconds_count')).toBe(3);
    expect(delta('tasklog_task_wait_seconds_count')).toBe(3);
    expect(delta('tasklog_tasks_failed_total', '{type="test.fail"}')).toBe(1);
    expect(sample(after, 'tasklog_scheduler_leader')).toBe(1);
    expect(sample(after, 'tasklog_worker_free_slots')).toBeGreaterThan(0);
    expect(
      sample(after, 'tasklog_http_request_duration_seconds_count', '{method="POST",route="/v1/tasks",status="202"}'),
    ).toBeGreaterThanOrEqual(3);
    expect(after).toContain('tasklog_process_resident_memory_bytes');
  });

  it('counts dead letters by type: tasks out of attempts', async () => {
    await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.fail', payload: {} } });
    const dead = (t: string, type: string) => sample(t, 'tasklog_tasks_dead_lettered_total', `{type="${type}"}`);
    let last = '';
    await waitFor(async () => {
      last = await scrape();
      // This one and the first test's failed task.
      return dead(last, 'test.fail') === 2;
    }).catch((e: Error) => {
      throw new Error(
        `${e.message}; last: ${last
          .split('\n')
          .filter((l) => l.startsWith('tasklog_tasks_dead'))
          .join(' | ')}`,
      );
    });
  });

  it('shows consumer lag per group and lane while tasks wait, and less once they are done', async () => {
    const lane = `{group="${engine.prefix}.workers",topic="${engine.prefix}.commands.normal"}`;
    const events = `{group="${engine.prefix}.projector",topic="${engine.prefix}.events"}`;
    const lag = (t: string, labels: string) => sample(t, 'tasklog_consumer_lag', labels);
    const lagLines = (t: string) =>
      t
        .split('\n')
        .filter((l) => l.includes('_lag'))
        .join(' | ');
    const handlers = engine.app.get(TestHandlers);
    handlers.closeGate();
    let last = await scrape();
    const idle = lag(last, lane);
    for (let i = 0; i < 3; i++) await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.gated', payload: {} } });
    // Held handlers keep their commands uncommitted: the worker group lags by them.
    const held = await waitFor(async () => {
      last = await scrape();
      return lag(last, lane) >= idle + 3 ? last : null;
    }).catch((e: Error) => {
      throw new Error(`${e.message}; last: ${lagLines(last)}`);
    });
    expect(held).toContain(`tasklog_consumer_lag${events}`);
    expect(sample(held, 'tasklog_projection_lag_events')).toBe(lag(held, events));
    expect(held).toContain('# TYPE tasklog_projection_lag_seconds gauge');
    handlers.openGate();
    await waitFor(async () => {
      last = await scrape();
      return lag(last, lane) <= lag(held, lane) - 3;
    }).catch((e: Error) => {
      throw new Error(`${e.message}; last: ${lagLines(last)}`);
    });
  });

  it('shows the scheduler due backlog when delayed tasks come due, then 0 once dispatched', async () => {
    expect(sample(await scrape(), 'tasklog_scheduler_due_tasks')).toBe(0);
    for (let i = 0; i < 2; i++)
      await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type: 'test.echo', payload: i, delayMs: 300 } });
    await waitFor(async () => sample(await scrape(), 'tasklog_scheduler_due_tasks') >= 1, { intervalMs: 50 });
    await waitFor(async () => sample(await scrape(), 'tasklog_scheduler_due_tasks') === 0);
  });
});
