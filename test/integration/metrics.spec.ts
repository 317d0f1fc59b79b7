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
    engine = await startEngine({ label: 'metrics', handlers: [TestHandlers] });
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
});
