// The Kafka adapter: the only place that imports kafkajs.
//   const consumer = new ParallelConsumer(kafka, { groupId, topics, concurrency: 20, handle });
export * from './topics';
export * from './kafka.types';
export * from './kafka.client';
export * from './transactional-publisher';
export * from './ordered-publisher';
export * from './parallel-consumer';
export * from './offset-tracker';
export * from './consumer-lifecycle';
export * from './lazy-producer';
export * from './dead-letter';
export * from './instance-slot';
export * from './message-size';
export * from './record-headers';
export * from './broadcast-consumer';
export * from './redelivery-marks';
export * from './topic-range-reader';
