import { BackPressure } from './back-pressure';
import { OffsetTracker } from './offset-tracker';

type TopicPartitions = { topic: string; partitions?: number[] };

function setup(limits = { maxBuffered: 4, maxPendingPerPartition: 4 }) {
  const trackers = new Map<string, OffsetTracker>([['cmds:0', new OffsetTracker()]]);
  const bp = new BackPressure(trackers, { topics: ['cmds', 'bulk'], ...limits });
  const calls: string[] = [];
  const consumer = {
    pause: (tps: TopicPartitions[]) => tps.forEach((tp) => calls.push(`pause ${tp.topic}${tp.partitions ? `:${tp.partitions[0]}` : ''}`)),
    resume: (tps: TopicPartitions[]) => tps.forEach((tp) => calls.push(`resume ${tp.topic}${tp.partitions ? `:${tp.partitions[0]}` : ''}`)),
  };
  return { bp, tracker: trackers.get('cmds:0')!, consumer, calls };
}

describe('BackPressure', () => {
  it('pauses only the topic that holds maxBuffered messages, and resumes it once half have settled', () => {
    const { bp, consumer, calls } = setup();
    for (let i = 0; i < 4; i++) bp.taken('bulk');
    bp.apply(consumer);
    bp.apply(consumer);
    expect(calls).toEqual(['pause bulk']);
    bp.settled('bulk');
    bp.apply(consumer);
    expect(calls).toEqual(['pause bulk']);
    bp.settled('bulk');
    bp.apply(consumer);
    expect(calls).toEqual(['pause bulk', 'resume bulk']);
  });

  it('pauses a partition pinned by an unfinished offset, and resumes it once half its offsets are committable', () => {
    const { bp, tracker, consumer, calls } = setup();
    [0, 1, 2, 3].forEach((o) => tracker.track(o));
    expect(bp.partitionFull(tracker)).toBe(true);
    bp.apply(consumer);
    expect(calls).toEqual(['pause cmds:0']);
    tracker.finish(0);
    bp.apply(consumer);
    expect(calls).toEqual(['pause cmds:0']);
    tracker.finish(1);
    bp.apply(consumer);
    expect(calls).toEqual(['pause cmds:0', 'resume cmds:0']);
  });

  it('leaves partition pauses alone while their topic is paused, and applies them again after it resumes', () => {
    const { bp, tracker, consumer, calls } = setup();
    [0, 1, 2, 3].forEach((o) => tracker.track(o));
    for (let i = 0; i < 4; i++) bp.taken('cmds');
    bp.apply(consumer);
    expect(calls).toEqual(['pause cmds']);
    for (let i = 0; i < 4; i++) bp.settled('cmds');
    bp.apply(consumer);
    expect(calls).toEqual(['pause cmds', 'resume cmds', 'pause cmds:0']);
  });

  it('after reset pauses again what is still over its limit (a new consumer starts unpaused)', () => {
    const { bp, consumer, calls } = setup();
    for (let i = 0; i < 4; i++) bp.taken('bulk');
    bp.apply(consumer);
    bp.reset();
    bp.apply(consumer);
    expect(calls).toEqual(['pause bulk', 'pause bulk']);
  });
});
