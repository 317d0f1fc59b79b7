import { ApiKeySchema } from '../../auth/api-key.entity';
import { CheckpointSchema } from './checkpoint.entity';
import { DeadLetterSchema } from './dead-letter.entity';
import { ScheduleSchema } from './schedule.entity';
import { TaskEventSchema } from './task-event.entity';
import { TaskSchema } from './task.entity';
import { TaskCountSchema } from './task-count.entity';
import { TaskDeletionSchema } from './task-deletion.entity';

export { TaskRow, TaskSchema } from './task.entity';
export type { ProjectionError } from './task.entity';
export { TaskEventRow, TaskEventSchema } from './task-event.entity';
export { CheckpointRow, CheckpointSchema } from './checkpoint.entity';
export { ScheduleRow, ScheduleSchema } from './schedule.entity';
export { DeadLetterRow, DeadLetterSchema } from './dead-letter.entity';
export { TaskCountRow, TaskCountSchema } from './task-count.entity';
export { TaskDeletionRow, TaskDeletionSchema } from './task-deletion.entity';

export const ENTITIES = [
  TaskSchema,
  TaskEventSchema,
  CheckpointSchema,
  ScheduleSchema,
  DeadLetterSchema,
  ApiKeySchema,
  TaskCountSchema,
  TaskDeletionSchema,
];
