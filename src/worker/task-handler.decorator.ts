import { SetMetadata } from '@nestjs/common';
import { TaskBackoff } from '../domain/task-state';

export const TASK_HANDLER = 'tasklog:task-handler';

/** A task type's defaults; a task's own options win over them. */
export interface TaskHandlerOptions {
  /** Attempts in all, the first included (default 1: no retry). */
  maxAttempts?: number;
  /** Wait between attempts: fixed, or exponential with jitter up to `maxDelayMs`. */
  backoff?: TaskBackoff;
  timeoutMs?: number;
  /** At most this many of this type run at once on one worker (within its overall concurrency). */
  concurrency?: number;
}

export interface TaskHandlerMetadata {
  taskType: string;
  options: TaskHandlerOptions;
}

/**
 * Marks a provider method as the handler of one task type. It only records metadata;
 * HandlerExplorer binds it when the module starts.
 *
 *   @TaskHandler('report.build', { maxAttempts: 5, backoff: { type: 'exponential', delayMs: 1000 } })
 *   async build(payload: Input, ctx: TaskContext) { ... }
 */
export const TaskHandler = (taskType: string, options: TaskHandlerOptions = {}): MethodDecorator =>
  SetMetadata<string, TaskHandlerMetadata>(TASK_HANDLER, { taskType, options });
