import { ErrorCode, TasklogError } from '../common/errors';
import { TaskHandlerFn } from './task-context';
import { TaskHandlerOptions } from './task-handler.decorator';

/** Task type -> handler. Registering a type twice stops startup. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, { fn: TaskHandlerFn; owner: string; options: TaskHandlerOptions }>();

  register(taskType: string, fn: TaskHandlerFn, owner: string, options: TaskHandlerOptions = {}): void {
    const existing = this.handlers.get(taskType);
    if (existing) {
      throw new TasklogError(ErrorCode.DUPLICATE_HANDLER, `two handlers for task type "${taskType}": ${existing.owner} and ${owner}`);
    }
    this.handlers.set(taskType, { fn, owner, options });
  }

  get(taskType: string): TaskHandlerFn | undefined {
    return this.handlers.get(taskType)?.fn;
  }

  /** The type's defaults (retries, backoff, timeout), or undefined for a type with no handler here. */
  options(taskType: string): TaskHandlerOptions | undefined {
    return this.handlers.get(taskType)?.options;
  }

  has(taskType: string): boolean {
    return this.handlers.has(taskType);
  }

  types(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
