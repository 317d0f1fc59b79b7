import { Injectable } from '@nestjs/common';
import { TaskClientService } from '../../src/client/task-client.service';
import { WorkerService } from '../../src/worker/worker.service';
import { TaskHandler } from '../../src/worker/task-handler.decorator';
import { cleanup, sql, startEngine, TestEngine } from '../support/engine';
import { waitFor } from '../support/wait-for';

/** `test.gate` holds the only slot until the test opens it; `test.lane` records nothing but its start. */
@Injectable()
class LaneHandlers {
  open!: () => void;
  readonly gate = new Promise<void>((r) => (this.open = r));

  @TaskHandler('test.gate')
  async hold() {
    await this.gate;
  }

  @TaskHandler('test.lane')
  lane() {
    return undefined;
  }
}

describe('priority lanes under saturation', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startEngine({ label: 'lanes', handlers: [LaneHandlers], config: { concurrency: 1 } });
  });
  afterAll(async () => {
    await engine?.stop();
    if (engine) await cleanup(engine.prefix, engine.schema);
  });

  it('gives high-priority tasks 6 of every 10 slots, normal 3 and low 1, and runs every low task', async () => {
    const client = engine.app.get(TaskClientService);
    const handlers = engine.app.get(LaneHandlers);
    await client.enqueue('test.gate', null);
    await waitFor(() => engine.app.get(WorkerService).running === 1, { what: 'the gate task to hold the only slot' });
    const byId = new Map<string, string>();
    for (const [lane, priority] of [
      ['low', 1],
      ['normal', 5],
      ['high', 9],
    ] as const) {
      for (let i = 0; i < 10; i++) byId.set((await client.enqueue('test.lane', { lane, i }, { priority })).id, lane);
    }
    await waitFor(() => engine.app.get(WorkerService).inFlight === 31, { what: 'all 30 lane tasks to wait in the worker' });
    handlers.open();

    const starts = await waitFor(
      async () => {
        const rows = await sql<{ task_id: string }>(
          engine.schema,
          `select task_id from task_events where type = 'task.started' and task_id = any($1::uuid[]) order by event_id`,
          [[...byId.keys()]],
        );
        return rows.length === 30 ? rows : null;
      },
      { what: 'all 30 lane tasks to start' },
    );
    const lanes = starts.map((r) => byId.get(r.task_id));
    const firstTen = lanes.slice(0, 10);
    expect(['high', 'normal', 'low'].map((l) => firstTen.filter((x) => x === l).length)).toEqual([6, 3, 1]);
    // High finishes first; low is never starved: it progresses while high still waits.
    expect(lanes.lastIndexOf('high')).toBeLessThan(lanes.lastIndexOf('low'));
    expect(lanes.indexOf('low')).toBeLessThan(lanes.lastIndexOf('high'));
  });
});
