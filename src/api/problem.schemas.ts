import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from './problem';

/** RFC 9457 problem details, the body of every error response (see problem.ts). */
export const ProblemSchema = z
  .object({
    type: z.string().describe('URI naming the kind of problem'),
    title: z.string().describe('short summary of the kind of problem'),
    status: z.number().int().describe('the HTTP status'),
    detail: z.string().describe('what went wrong with this request'),
    instance: z.string().optional().describe('the request path'),
    code: z.string().optional().describe('Tasklog error code, e.g. TASK_NOT_FOUND'),
  })
  .catchall(z.unknown());

export class ProblemDto extends createZodDto(ProblemSchema) {}

const MEANING: Record<number, string> = {
  400: 'malformed or wrong-shaped request, naming the field',
  401: 'missing, unknown or revoked API key',
  403: "the API key's scope does not cover this route",
  404: "no such resource for the caller's tenant",
  409: 'the request conflicts with the current state',
  413: 'payload over the limit',
  415: 'the body is not JSON',
  422: 'unknown task type or invalid definition',
  429: 'rate limit reached; see Retry-After',
  503: 'Kafka or Postgres unreachable; see Retry-After',
};

/** Documents error responses as application/problem+json with the shared Problem schema. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANING[status] ?? 'error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
