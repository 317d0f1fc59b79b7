/** Splits a partition id (`topic:partition`, as the consumers key their maps) for kafkajs calls. */
export function topicPartition(id: string): { topic: string; partitions: number[] } {
  const sep = id.lastIndexOf(':');
  return { topic: id.slice(0, sep), partitions: [Number(id.slice(sep + 1))] };
}
