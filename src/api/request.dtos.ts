import { createZodDto } from 'nestjs-zod';
import { DeadLetterListQuery } from './dead-letter.schemas';
import { BatchBody, CancelBody, EnqueueBody, RetryBody } from './request.schemas';
import { BackfillBody, ScheduleDefinitionSchema } from './schedule.schemas';

// The OpenAPI document's request shapes, made from the very schemas the controllers parse with
// (parseInput); the classes only carry the schema to @nestjs/swagger, they validate nothing.
export class EnqueueBodyDto extends createZodDto(EnqueueBody) {}
export class BatchBodyDto extends createZodDto(BatchBody) {}
export class RetryBodyDto extends createZodDto(RetryBody) {}
export class CancelBodyDto extends createZodDto(CancelBody) {}
export class DeadLetterListQueryDto extends createZodDto(DeadLetterListQuery) {}
export class ScheduleBodyDto extends createZodDto(ScheduleDefinitionSchema) {}
export class BackfillBodyDto extends createZodDto(BackfillBody) {}
