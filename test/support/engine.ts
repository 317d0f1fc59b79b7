import { INestApplication, Provider, Type } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { createApp } from '../../src/app.factory';
import { loadDevConfig, TasklogModuleOptions } from '../../src/config';
import { allTopics, topicsFor } from '../../src/kafka/topics';
import { quoteIdentifier } from '../../src/projection/sql-identifier';
import { RolesService } from '../../src/runtime/roles.service';

export interface TestEngine {
  app: INestApplication;
  url: string;
  prefix: string;
  schema: string;
  stop(): Promise<void>;
}

/** A unique topic prefix and Postgres schema per call, so test files never share state. */
export function isolation(label: string): { prefix: string; schema: string } {
  const id = `${label}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return { prefix: `t.${id}`, schema: `t_${id}` };
}

export async function startEngine(opts: {
  label: string;
  handlers?: (Provider | Type)[];
  config?: TasklogModuleOptions;
  prefix?: string;
  schema?: string;
  waitReady?: boolean;
  /** Receives the engine's JSON log lines instead of stdout. */
  logDestination?: { write(line: string): void };
}): Promise<TestEngine> {
  const iso = isolation(opts.label);
  const prefix = opts.prefix ?? iso.prefix;
  const schema = opts.schema ?? iso.schema;
  const app = await createApp({
    config: { topicPrefix: prefix, dbSchema: schema, logLevel: 'warn', ...opts.config },
    handlers: opts.handlers,
    logDestination: opts.logDestination,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  if (opts.waitReady !== false) await app.get(RolesService).ready();
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    prefix,
    schema,
    stop: () => app.close(),
  };
}

/** Drops a test's schema and topics (on the dev broker unless `brokers` names others). */
export async function cleanup(prefix: string, schema: string, brokers?: string[]): Promise<void> {
  const config = loadDevConfig();
  const pg = new Client({ connectionString: config.databaseUrl });
  await pg.connect();
  try {
    await pg.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
  } finally {
    await pg.end();
  }
  const admin = new Kafka({ brokers: brokers ?? config.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: allTopics(topicsFor(prefix)) }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

export async function sql<T = Record<string, unknown>>(schema: string, text: string, params: unknown[] = []): Promise<T[]> {
  const pg = new Client({ connectionString: loadDevConfig().databaseUrl });
  await pg.connect();
  try {
    await pg.query(`set search_path to ${quoteIdentifier(schema)}`);
    return (await pg.query(text, params)).rows as T[];
  } finally {
    await pg.end();
  }
}

export async function http(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    headers: { ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(rest.headers ?? {}) },
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* plain text */
  }
  return { status: res.status, body, headers: res.headers };
}
