import { RunnableTask } from '../client/run-records';

/** A task whose run time has come, read from the projection; `attempt` is the projected one + 1. */
export interface DueTask extends RunnableTask {
  runAt: string;
}
