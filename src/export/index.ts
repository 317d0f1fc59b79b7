// Export of the event history for analytics (Kafka only; the live projection is never touched).
//   const stats = await exportEvents(kafka, { eventsTopic: 'tasklog.events', fromMs, toMs, format: 'jsonl', out });
export * from './event-line';
export * from './events-export';
