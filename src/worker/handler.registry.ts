import { ErrorCode, TasklogError } from '../common/errors';
import { TaskHandlerFn } from './task-context';

/** Task type -> handler. Registering a type twice stops startup. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, { fn: TaskHandlerFn; owner: string }>();

  register(taskType: string, fn: TaskHandlerFn, owner: string): void {
    const existing = this.handlers.get(taskType);
    if (existing) {
      throw new TasklogError(ErrorCode.DUPLICATE_HANDLER, `two handlers for task type "${taskType}": ${existing.owner} and ${owner}`);
    }
    this.handlers.set(taskType, { fn, owner });
  }

  get(taskType: string): TaskHandlerFn | undefined {
    return this.handlers.get(taskType)?.fn;
  }

  has(taskType: string): boolean {
    return this.handlers.has(taskType);
  }

  types(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
