// Tasklog's public surface: import from the package root only.
//   @Module({ imports: [TasklogModule.forRoot({ topicPrefix: 'billing' })], providers: [ReportHandlers] })
//   @TaskHandler('report.build', { maxAttempts: 3 }) async build(payload, ctx: TaskContext) { ... }

// The module, its options and the standalone app.
export { TasklogModule } from './tasklog.module';
export type { TasklogModuleOptions, TasklogConfig, Role } from './config';
export { createApp } from './app.factory';
export type { AppOptions } from './app.factory';

// The REST API's access control and document, for a host app that mounts it (forRoot `http`).
export { mountOpenApi, openApiDocument } from './api/openapi';
export { RequireScope } from './auth/require-scope.decorator';
export { Scope } from './auth/scope';

// Handlers and schedules.
export { TaskHandler } from './worker/task-handler.decorator';
export type { TaskHandlerOptions } from './worker/task-handler.decorator';
export type { TaskContext, ProgressUpdate, TaskHandlerFn } from './worker/task-context';
export { Recurring } from './scheduler/schedules/recurring.decorator';

// Enqueueing, cancelling and retrying from code.
export { TaskClientService } from './client/task-client.service';
export type { EnqueueOptions } from './client/enqueue-options';
export type { BatchItem, BatchItemResult } from './client/task-client';
export type { IntakeReply, IntakeReplyError } from './intake/intake-reply';

// Errors a handler throws or a caller catches.
export { TasklogError, ErrorCode, RetryableError, NonRetryableError } from './common/errors';

// Task state and the event contract, for downstream consumers of `tasklog.events`.
export { TaskStatus } from './domain/task-status';
export type { TaskState, TaskProgress, TaskBackoff } from './domain/task-state';
export { EventType } from './events/event-types';
// One line validates a record: `parseEvent(value)` (parsed JSON) or `decodeEvent(buffer)`; both
// upcast older versions first. EventSchema validates the current version only.
export { EventSchema, DataSchemas, EVENT_VERSIONS } from './events/event.schemas';
export type { TaskEvent, EventDataMap } from './events/event.schemas';
export { decodeEvent, parseEvent, EventDecodeError, SCHEMA_VERSION } from './events/event.codec';
export { upcast } from './events/upcasters';
export { Header } from './kafka/kafka.types';

// Operations from code, as the CLI runs them: export of the history, blue/green projection rebuild.
export { KafkaClient } from './kafka/kafka.client';
export { exportEvents } from './export';
export { rebuildProjection } from './projection/rebuild/blue-green-rebuild';
export type { RebuildMode, RebuildOptions, RebuildReport } from './projection/rebuild/blue-green-rebuild';
