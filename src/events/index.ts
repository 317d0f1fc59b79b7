// Event contracts: types, zod schemas, codec and factory. No Nest, kafkajs or ORM here.
//   const e = makeEvent(EventType.STARTED, scope, { workerId, attempt }, clock.iso());
export * from './event-types';
export * from './event.schemas';
export * from './event.codec';
export * from './upcasters';
export * from './event.factory';
export * from './run-command.schema';
export * from './command-origin';
export * from './cancel-signal.schema';
export * from './ending-events';
export * from './json-schema';
export * from './format-issues';
export * from './worker-heartbeat.schema';
