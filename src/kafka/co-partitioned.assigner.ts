import { AssignerProtocol, PartitionAssigner } from 'kafkajs';

/**
 * Gives partition p of every subscribed topic to the same member. The command lanes are three
 * topics with the same partition count and the same key hashing, so a concurrency key lands on
 * partition p in whichever lane its task's priority picks; co-partitioning puts all of them on
 * one worker, whose per-key chain then runs them one at a time across lanes.
 */
export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'TasklogCoPartitioned',
  version: 0,
  async assign({ members, topics }) {
    const ids = members.map((m) => m.memberId).sort();
    const assignment: Record<string, Record<string, number[]>> = {};
    for (const topic of topics) {
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const member = ids[partitionId % ids.length];
        ((assignment[member] ??= {})[topic] ??= []).push(partitionId);
      }
    }
    return Object.entries(assignment).map(([memberId, a]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: a, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return {
      name: 'TasklogCoPartitioned',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
