import { RetentionSweeper } from './retention-sweeper';

describe('RetentionSweeper', () => {
  const DAY = 86_400_000;

  it('deletes batch after batch until one comes back short, before the cutoff the retention gives', async () => {
    const left = [3, 3, 1];
    const calls: [Date, number][] = [];
    const sweeper = new RetentionSweeper({
      purge: async (cutoff, limit) => {
        calls.push([cutoff, limit]);
        const tasks = left.shift() ?? 0;
        return { tasks, events: tasks * 4 };
      },
      now: () => 40 * DAY,
      retentionDays: 30,
      batchSize: 3,
    });
    const done = await sweeper.sweep();
    expect(done).toEqual({ tasks: 7, events: 28, tombstones: 0, cutoff: new Date(10 * DAY) });
    expect(calls).toEqual([
      [new Date(10 * DAY), 3],
      [new Date(10 * DAY), 3],
      [new Date(10 * DAY), 3],
    ]);
  });

  it('stops a round after maxBatches, leaving the rest to the next round', async () => {
    let calls = 0;
    const sweeper = new RetentionSweeper({
      purge: async (_c, limit) => {
        calls++;
        return { tasks: limit, events: 0 };
      },
      now: () => Date.now(),
      retentionDays: 1,
      batchSize: 10,
      maxBatches: 4,
    });
    expect((await sweeper.sweep()).tasks).toBe(40);
    expect(calls).toBe(4);
  });

  it('with a finite events retention, drops tombstones deleted longer ago than it, batch after batch', async () => {
    const left = [2, 1];
    const cutoffs: Date[] = [];
    const sweeper = new RetentionSweeper({
      purge: async () => ({ tasks: 0, events: 0 }),
      now: () => 100 * DAY,
      retentionDays: 30,
      batchSize: 2,
      tombstones: {
        retentionMs: 90 * DAY,
        purge: async (cutoff) => {
          cutoffs.push(cutoff);
          return left.shift() ?? 0;
        },
      },
    });
    expect((await sweeper.sweep()).tombstones).toBe(3);
    expect(cutoffs).toEqual([new Date(10 * DAY), new Date(10 * DAY)]);
  });
});
