import type { Logger } from 'pino';
import { TasklogConfig } from './tasklog.config';

/**
 * Options of TasklogModule.forRoot: any config field, over the environment; and the app's pino
 * logger, if it has one (the engine then logs through it; otherwise to stdout at `logLevel`).
 */
export type TasklogModuleOptions = Partial<TasklogConfig> & { logger?: Logger };

export const TASKLOG_CONFIG = Symbol('TASKLOG_CONFIG');

/** What TasklogModule.forRoot mounted on the host app (its `http`, `dashboard`, `errorFilter` extras). */
export const TASKLOG_MOUNTS = Symbol('TASKLOG_MOUNTS');
