import { SetMetadata } from '@nestjs/common';

export const TASK_HANDLER = 'tasklog:task-handler';

/**
 * Marks a provider method as the handler of one task type. It only records metadata;
 * HandlerExplorer binds it when the module starts.
 *
 *   @TaskHandler('report.build') async build(payload: Input, ctx: TaskContext) { ... }
 */
export const TaskHandler = (taskType: string): MethodDecorator => SetMetadata(TASK_HANDLER, taskType);
