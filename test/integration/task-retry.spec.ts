import { Injectable } from '@nestjs/common';
import { TaskContext } from '../../src/worker/task-context';
import { TaskHandler } from '../../src/worker/task-handler.decorator';
import { cleanup, http, startEngine, TestEngine } from '../support/engine';
import { TestHandlers } from '../support/test-handlers';
import { waitFor } from '../support/wait-for';

/** Fails its first attempt, succeeds after: what a manual retry is for. */
@Injectable()
class FlakyHandlers {
  @TaskHandler('test.flaky-once')
  run(_payload: unknown, ctx: TaskContext) {
    if (ctx.attempt === 1) throw new Error('the upstream was down');
    return { attempt: ctx.attempt };
  }
}

describe('POST /v1/tasks/:id/retry', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine({ label: 'retry', handlers: [TestHandlers, FlakyHandlers] });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  const enqueue = async (type: string) =>
    (await http(`${engine.url}/v1/tasks`, { method: 'POST', json: { type, payload: {} } })).body.id as string;
  const until = (id: string, status: string) =>
    waitFor(
      async () => {
        const r = await http(`${engine.url}/v1/tasks/${id}`);
        return r.body.status === status ? r.body : null;
      },
      { what: `task ${id} to be ${status}` },
    );
  const retry = (id: string, json?: unknown) => http(`${engine.url}/v1/tasks/${id}/retry`, { method: 'POST', ...(json ? { json } : {}) });

  it('re-opens a failed task; its next attempt runs and completes, and history shows the request', async () => {
    const id = await enqueue('test.flaky-once');
    await until(id, 'failed');
    const r = await retry(id);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'queued', error: null, maxAttempts: 2 });
    const done = await until(id, 'completed');
    expect(done).toMatchObject({ attempt: 2, result: { attempt: 2 } });
    const history = (await http(`${engine.url}/v1/tasks/${id}/events`)).body.items.map((e: { type: string }) => e.type);
    expect(history).toEqual(expect.arrayContaining(['task.failed', 'task.retry-requested', 'task.completed']));
    expect(history.indexOf('task.retry-requested')).toBeGreaterThan(history.indexOf('task.failed'));
  });

  it('answers 409 for a task that is not failed, cancelled or expired, and 404 for no task', async () => {
    const id = await enqueue('test.echo');
    await until(id, 'completed');
    const r = await retry(id);
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/completed/);
    expect((await retry('01a2085c-6789-74fa-ac49-b0b014b196df')).status).toBe(404);
  });

  it('takes a budget of attempts, and refuses a bad one with 400', async () => {
    const id = await enqueue('test.fail');
    await until(id, 'failed');
    expect((await retry(id, { maxAttempts: 0 })).status).toBe(400);
    const r = await retry(id, { maxAttempts: 3 });
    expect(r.body.maxAttempts).toBe(4);
  });
});
