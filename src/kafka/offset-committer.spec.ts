import { JsonLogger } from '../common/logger';
import { OffsetCommitter } from './offset-committer';
import { OffsetTracker } from './offset-tracker';

type Commit = { topic: string; partition: number; offset: string; metadata: string | null };

function setup() {
  const trackers = new Map<string, OffsetTracker>([
    ['cmds:0', new OffsetTracker()],
    ['cmds:1', new OffsetTracker()],
  ]);
  const calls: Commit[][] = [];
  let fail = false;
  const consumer = {
    commitOffsets: async (offsets: Commit[]) => {
      if (fail) throw new Error('rebalance in progress');
      calls.push(offsets);
    },
  };
  const marks = { metadataFor: (id: string, next: number) => (id === 'cmds:1' ? `started ${next}` : null) };
  let connected: typeof consumer | null = consumer;
  const committer = new OffsetCommitter(trackers, marks, () => connected, new JsonLogger('error'));
  return {
    committer,
    calls,
    t0: trackers.get('cmds:0')!,
    t1: trackers.get('cmds:1')!,
    failCommits: (v: boolean) => (fail = v),
    disconnect: () => (connected = null),
  };
}

describe('OffsetCommitter', () => {
  it('commits each partition up to its first unfinished offset, with its redelivery marks', async () => {
    const { committer, calls, t0, t1 } = setup();
    [0, 1, 2].forEach((o) => t0.track(o));
    t0.finish(0);
    t0.finish(2);
    t1.track(7);
    t1.finish(7);
    await committer.commit();
    expect(calls).toEqual([
      [
        { topic: 'cmds', partition: 0, offset: '1', metadata: null },
        { topic: 'cmds', partition: 1, offset: '8', metadata: 'started 8' },
      ],
    ]);
  });

  it('sends only partitions that moved since their last commit', async () => {
    const { committer, calls, t0, t1 } = setup();
    [t0, t1].forEach((t) => (t.track(0), t.finish(0)));
    await committer.commit();
    await committer.commit();
    t0.track(1);
    t0.finish(1);
    await committer.commit();
    expect(calls.map((c) => c.map((o) => `${o.partition}@${o.offset}`))).toEqual([['0@1', '1@1'], ['0@2']]);
  });

  it('sends a failed commit again with the next one, and commits again after forget', async () => {
    const { committer, calls, t0, failCommits } = setup();
    t0.track(0);
    t0.finish(0);
    failCommits(true);
    await committer.commit();
    failCommits(false);
    await committer.commit();
    committer.forget();
    await committer.commit();
    expect(calls.map((c) => c.map((o) => `${o.partition}@${o.offset}`))).toEqual([['0@1'], ['0@1']]);
  });

  it('commits nothing while there is no consumer', async () => {
    const { committer, calls, t0, disconnect } = setup();
    t0.track(0);
    t0.finish(0);
    disconnect();
    await committer.commit();
    expect(calls).toEqual([]);
  });

  describe('scheduled commits', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('makes one commit 50 ms after the first request, and none once cancelled', async () => {
      const { committer, calls, t0 } = setup();
      t0.track(0);
      t0.finish(0);
      committer.schedule();
      committer.schedule();
      await jest.advanceTimersByTimeAsync(49);
      expect(calls).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(1);
      t0.track(1);
      t0.finish(1);
      committer.schedule();
      committer.cancel();
      await jest.advanceTimersByTimeAsync(100);
      expect(calls).toHaveLength(1);
    });
  });
});
