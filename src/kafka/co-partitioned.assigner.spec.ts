import { AssignerProtocol, Cluster } from 'kafkajs';
import { CoPartitionedAssigner } from './co-partitioned.assigner';

describe('CoPartitionedAssigner', () => {
  it('gives partition p of every lane to the same member', async () => {
    const cluster = { findTopicPartitionMetadata: () => [0, 1, 2].map((partitionId) => ({ partitionId })) } as unknown as Cluster;
    const assigner = CoPartitionedAssigner({ cluster, groupId: 'g', logger: {} as never });
    const members = ['m-b', 'm-a'].map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) }));
    const result = await assigner.assign({ members, topics: ['high', 'normal', 'low'] });
    const byMember = Object.fromEntries(
      result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]),
    );
    expect(byMember['m-a']).toEqual({ high: [0, 2], normal: [0, 2], low: [0, 2] });
    expect(byMember['m-b']).toEqual({ high: [1], normal: [1], low: [1] });
  });
});
