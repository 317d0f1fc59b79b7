import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { FIELD_FILTERS, ListQuery } from './request.schemas';

type Schema = SchemaObject & { description?: string };

const asOpenApi = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', target: 'openapi-3.0', unrepresentable: 'any' }) as Schema;

/**
 * The query parameters of `GET /v1/tasks` and `/v1/tasks/count`, made from the zod schemas that
 * parse them: each ListQuery field as its parsed value reads (status is an array of statuses,
 * sent as `status=a&status=b`, the form style), then the `payload.<path>` and `label.<key>`
 * families, documented as one parameter each whose name is the pattern.
 */
export function ApiSearchQuery(): MethodDecorator {
  const { properties = {} } = asOpenApi(ListQuery);
  const fixed = Object.entries(properties as Record<string, Schema>).map(([name, { description, ...schema }]) =>
    ApiQuery({ name, required: false, description, schema, ...(schema.type === 'array' ? { style: 'form', explode: true } : {}) }),
  );
  const families = Object.entries(FIELD_FILTERS).map(([name, value]) => {
    const { description, ...schema } = asOpenApi(value);
    return ApiQuery({ name, required: false, description: `${description} (Parameter name pattern: ${name}.)`, schema });
  });
  return applyDecorators(...fixed, ...families);
}
