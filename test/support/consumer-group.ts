import { Kafka, logLevel } from 'kafkajs';
import { loadDevConfig } from '../../src/config';
import { waitFor } from './wait-for';

/** Waits until a consumer group is stable with `members` members, so a test's only rebalance is its own. */
export async function waitForGroup(groupId: string, members: number): Promise<void> {
  await waitFor(
    async () => {
      const admin = new Kafka({ brokers: loadDevConfig().brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return group.state === 'Stable' && group.members.length === members;
      } finally {
        await admin.disconnect();
      }
    },
    { timeoutMs: 60000, what: `${members} members in group ${groupId}` },
  );
}
