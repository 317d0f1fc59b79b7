import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { TASKLOG_MOUNTS } from '../config';
import type { TasklogMounts } from '../tasklog.module-definition';
import { API_KEY_SCHEME, BEARER_SCHEME } from './tenant-scoped.decorator';

/** The OpenAPI document of the mounted controllers, request shapes from their zod schemas. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tasklog')
    .setDescription(
      'Event-sourced task engine on Kafka. Every /v1 request acts for the tenant of its API key ' +
        '(scopes: read < write < admin); errors are RFC 9457 application/problem+json.',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'Authorization: Bearer <API key>' },
      BEARER_SCHEME,
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'the API key' }, API_KEY_SCHEME)
    .build();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
}

/**
 * Serves the UI at /docs and the document at /docs-json (outside the guards and the rate limit),
 * when TasklogModule mounted its REST API (`http`, on unless forRoot says `http: false`). Call it
 * before `app.listen()`.
 */
export function mountOpenApi(app: INestApplication): void {
  const mounts = app.get<TasklogMounts | undefined>(TASKLOG_MOUNTS, { strict: false });
  if (mounts?.http === false) return;
  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
