import { TasklogConfig } from './tasklog.config';

/** Options of TasklogModule.forRoot: any config field, over the environment. */
export type TasklogModuleOptions = Partial<TasklogConfig>;

export const TASKLOG_CONFIG = Symbol('TASKLOG_CONFIG');
