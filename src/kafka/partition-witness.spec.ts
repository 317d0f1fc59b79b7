import { RecordMetadata } from 'kafkajs';
import { assertAcknowledged, PartitionWitness } from './partition-witness';

const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
const ack = (topicName: string, partition: number): RecordMetadata => ({ topicName, partition, errorCode: 0 });

describe('PartitionWitness', () => {
  it('partitions keyed records as kafkajs does by default, and names the partitions no broker acknowledged', () => {
    const witness = new PartitionWitness();
    const partition = witness.createPartitioner();
    witness.begin();
    const chosen = ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => partition({ topic: 't', partitionMetadata, message: { key, value: 'x' } }));
    const used = [...new Set(chosen)];
    expect(used.length).toBeGreaterThan(1);
    // A send whose retry skipped one partition (tulios/kafkajs#1303) resolves with the others' acks only.
    const acks = used.slice(1).map((p) => ack('t', p));
    expect(witness.unacknowledged(acks)).toEqual([`t:${used[0]}`]);
    expect(() => assertAcknowledged(witness, acks)).toThrow(/acknowledged no write to t:/);
    expect(() =>
      assertAcknowledged(
        witness,
        used.map((p) => ack('t', p)),
      ),
    ).not.toThrow();
  });

  it('forgets the partitions of the previous send at begin', () => {
    const witness = new PartitionWitness();
    const partition = witness.createPartitioner();
    const p = partition({ topic: 't', partitionMetadata, message: { key: 'a', value: 'x' } });
    witness.begin();
    expect(witness.unacknowledged([])).toEqual([]);
    expect(p).toBeGreaterThanOrEqual(0);
  });
});
