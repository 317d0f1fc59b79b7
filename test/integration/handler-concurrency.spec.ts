import { Injectable } from '@nestjs/common';
import { TaskClientService } from '../../src/client/task-client.service';
import { TaskHandler } from '../../src/worker/task-handler.decorator';
import { cleanup, sql, startEngine, TestEngine } from '../support/engine';
import { waitFor } from '../support/wait-for';

/** `test.capped` may run 2 at a time per worker; `test.free` has no cap of its own. */
@Injectable()
class CappedHandlers {
  running = { capped: 0, free: 0 };
  peak = { capped: 0, free: 0 };

  @TaskHandler('test.capped', { concurrency: 2 })
  capped() {
    return this.hold('capped');
  }

  @TaskHandler('test.free')
  free() {
    return this.hold('free');
  }

  private async hold(kind: 'capped' | 'free') {
    this.running[kind] += 1;
    this.peak[kind] = Math.max(this.peak[kind], this.running[kind]);
    await new Promise((r) => setTimeout(r, 300));
    this.running[kind] -= 1;
  }
}

describe('a task type with its own concurrency cap', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine({ label: 'capped', handlers: [CappedHandlers], config: { concurrency: 10 } });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('runs at most that many at once, while other types use the free slots', async () => {
    const client = engine.app.get(TaskClientService);
    const ids = [
      ...(await Promise.all(Array.from({ length: 8 }, (_, i) => client.enqueue('test.capped', { i })))),
      ...(await Promise.all(Array.from({ length: 6 }, (_, i) => client.enqueue('test.free', { i })))),
    ].map((t) => t.id);
    await waitFor(
      async () => {
        const rows = await sql<{ n: string }>(
          engine.schema,
          `select count(*) as n from tasks where status = 'completed' and id = any($1::uuid[])`,
          [ids],
        );
        return Number(rows[0].n) === ids.length;
      },
      { what: 'all tasks to complete' },
    );
    const h = engine.app.get(CappedHandlers);
    expect(h.peak.capped).toBe(2);
    expect(h.peak.free).toBeGreaterThan(2);
  });
});
