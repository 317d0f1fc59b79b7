import { ConfigurableModuleBuilder } from '@nestjs/common';
import { TasklogConfig } from './tasklog.config';

/** Options of TasklogModule.forRoot: any config field, over the environment. */
export type TasklogModuleOptions = Partial<TasklogConfig>;

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<TasklogModuleOptions>().setClassMethodName('forRoot').build();

export const TASKLOG_CONFIG = Symbol('TASKLOG_CONFIG');
