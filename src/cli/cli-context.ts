import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Option } from 'commander';
import pino from 'pino';
import { createPinoLogger, JsonLogger } from '../common/logger';
import { loadDevConfig, TasklogConfig } from '../config';
import { KafkaClient } from '../kafka';
import { createOrm } from '../projection/orm.factory';
import { TasklogModule } from '../tasklog.module';
import { RolesService } from '../runtime/roles.service';

/** `--tenant <id>`: the tenant a command acts for, as an API key would choose it. */
export function tenantOption(): Option {
  return new Option('--tenant <id>', 'tenant to act for').default('default');
}

export function jsonOption(): Option {
  return new Option('--json', 'print JSON instead of a table');
}

/** Runs `fn` with a MikroORM instance on DATABASE_URL / TASKLOG_DB_SCHEMA (reads only; no migration). */
export async function withOrm<T>(fn: (orm: MikroORM, config: TasklogConfig) => Promise<T>): Promise<T> {
  const config = loadDevConfig();
  const orm = await createOrm({ databaseUrl: config.databaseUrl, schema: config.dbSchema, poolMax: 2 });
  try {
    return await fn(orm, config);
  } finally {
    await orm.close();
  }
}

/**
 * Runs `fn` inside the engine as an `api`-role process without HTTP, for commands that must take
 * the same path as the REST API (Kafka events, then the read model). Engine logs go to stderr.
 */
export async function withEngine<T>(fn: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const config = loadDevConfig();
  const logger = createPinoLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination({ dest: 2, sync: true }));
  const app = await NestFactory.createApplicationContext(
    TasklogModule.forRoot({ ...config, roles: ['api'], logger, http: false, dashboard: false, errorFilter: false }),
    { logger: false },
  );
  try {
    // Started in full before the command runs: a consumer still joining its group when the
    // command closes the app would be left running and keep the process alive.
    await app.get(RolesService).ready();
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Logs of a command go to stderr as JSON, since stdout may carry its output. */
export function stderrLogger(config: TasklogConfig, command: string): JsonLogger {
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  return new JsonLogger(createPinoLogger(level, pino.destination({ dest: 2, sync: true })), { service: `tasklog-${command}` });
}

/** A Kafka client for a command, logging to stderr. */
export function kafkaFor(config: TasklogConfig, command: string): KafkaClient {
  return new KafkaClient({ brokers: config.brokers, clientId: `${config.topicPrefix}-${command}`, logger: stderrLogger(config, command) });
}
