import { PartitionTrackers } from './partition-trackers';

describe('PartitionTrackers', () => {
  it('keeps the progress of partitions still assigned after a rebalance and drops the others', () => {
    const trackers = new PartitionTrackers();
    trackers.assign({ cmds: [0, 1] });
    const kept = trackers.of('cmds:1');
    kept.track(5);
    const assigned = trackers.assign({ cmds: [1, 2] });
    expect([...assigned]).toEqual(['cmds:1', 'cmds:2']);
    expect([...trackers.keys()].sort()).toEqual(['cmds:1', 'cmds:2']);
    expect(trackers.of('cmds:1')).toBe(kept);
    expect(trackers.of('cmds:1').committable()).toBe(5);
  });
});
