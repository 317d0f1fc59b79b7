// The Kafka intake: any producer enqueues by writing JSON {type, payload, ...options} to <prefix>.requests.
//   await clientKafka.emit('tasklog.requests', { key: 'order-42', value: { type: 'report.build', payload: { month: '2026-11' } } });
// A ClientKafka.send is answered on tasklog.requests.reply with { taskId, status } (intake-reply.ts).
export * from './intake-request';
export * from './intake-reply';
export * from './intake.service';
