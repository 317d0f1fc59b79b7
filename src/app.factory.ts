import { INestApplication, Module, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { answerUnparsableRequests } from './api/client-error.handler';
import { JSON_MEDIA_TYPES } from './api/json-body.guard';
import { mountOpenApi } from './api/openapi';
import { JsonLogger } from './common/logger';
import { devEnv, resolveConfig, TasklogModuleOptions } from './config';
import { TasklogModule } from './tasklog.module';

export interface AppOptions {
  config?: TasklogModuleOptions;
  /** Providers holding @TaskHandler methods. */
  handlers?: (Provider | Type)[];
}

/** Builds the standalone app (also used by the integration tests with their own handlers). */
export async function createApp(options: AppOptions = {}): Promise<INestApplication> {
  // Validated here too, so a bad option fails before Nest starts (and aborts) the process.
  // The standalone app (not the module) reads the dev stack's settings under the environment.
  const config = resolveConfig(options.config ?? {}, devEnv());
  @Module({ imports: [TasklogModule.forRoot(config)], providers: options.handlers ?? [] })
  class AppModule {}

  const logger = new JsonLogger(config.logLevel, { service: 'tasklog' });
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bodyParser: false, logger });
  // Room for the JSON envelope around a payload at the limit; TaskClient enforces the exact limit.
  app.useBodyParser('json', { limit: config.maxPayloadBytes + 64 * 1024, type: JSON_MEDIA_TYPES });
  answerUnparsableRequests(app.getHttpServer());
  // The standalone app mounts the REST API (forRoot's `http`), so its document too.
  mountOpenApi(app);
  app.enableShutdownHooks();
  return app;
}
