import { TasklogConfig } from './tasklog.config';

/** Options of TasklogModule.forRoot: any config field, over the environment. */
export type TasklogModuleOptions = Partial<TasklogConfig>;

export const TASKLOG_CONFIG = Symbol('TASKLOG_CONFIG');

/** What TasklogModule.forRoot mounted on the host app (its `http`, `dashboard`, `errorFilter` extras). */
export const TASKLOG_MOUNTS = Symbol('TASKLOG_MOUNTS');
