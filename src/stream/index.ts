// Live updates over SSE, fed by the projector's NOTIFY; one LISTEN connection per process.
//   await streams.task(res, tenantId, taskId, req.header('last-event-id'));
export * from './stream-cursor';
export * from './stream-hub';
export * from './stream-message';
export * from './stream.queries';
export * from './stream.service';
