import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ErrorCode, TasklogError } from '../common/errors';

export const ROLES = ['api', 'worker', 'projector', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every environment variable the engine reads, validated once, here. */
export const EnvSchema = z.object({
  PORT: int(0, 65535).default(3000),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/tasklog'),
  TASKLOG_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase SQL identifier')
    .default('public'),
  TASKLOG_ROLES: z
    .string()
    .default(ROLES.join(','))
    .transform((s) =>
      s
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(ROLES)).min(1)),
  TASKLOG_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('tasklog'),
  TASKLOG_PARTITIONS: int(1, 1000).default(3),
  TASKLOG_REPLICATION: int(1, 10).default(1),
  TASKLOG_CONCURRENCY: int(1, 10000).default(20),
  TASKLOG_MAX_PAYLOAD_BYTES: int(1, 64 * 1024 * 1024).default(1024 * 1024),
  TASKLOG_PROGRESS_INTERVAL_MS: int(0, 60000).default(250),
  TASKLOG_SESSION_TIMEOUT_MS: int(6000, 300000).default(30000),
  TASKLOG_WORKER_ID: z.string().min(1).max(200).optional(),
  /** Names this process among its peers on one host; part of the stable transactional id. */
  TASKLOG_INSTANCE_ID: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,100}$/, 'letters, digits, dot, dash, underscore')
    .optional(),
  /** How long a stopping worker lets running handlers finish before it aborts them. */
  TASKLOG_SHUTDOWN_GRACE_MS: int(0, 3600000).default(30000),
  /** How often the scheduler leader looks for due tasks. */
  TASKLOG_SCHEDULER_INTERVAL_MS: int(10, 60000).default(200),
  /** How often a standby scheduler tries to become leader (failover time is about this). */
  TASKLOG_SCHEDULER_LEADER_INTERVAL_MS: int(100, 60000).default(1000),
  TASKLOG_API_KEYS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:[a-zA-Z0-9._-]+$/, 'expected key:tenant pairs'))),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type TasklogConfig = {
  port: number;
  brokers: string[];
  databaseUrl: string;
  dbSchema: string;
  roles: Role[];
  topicPrefix: string;
  partitions: number;
  replication: number;
  concurrency: number;
  maxPayloadBytes: number;
  progressIntervalMs: number;
  sessionTimeoutMs: number;
  workerId?: string;
  instanceId?: string;
  shutdownGraceMs: number;
  schedulerIntervalMs: number;
  schedulerLeaderIntervalMs: number;
  /** API key -> tenant; empty means every request belongs to tenant `default`. */
  apiKeys: Record<string, string>;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
};

/** Reads `.data/stack.env` (written by scripts/stack.sh) as defaults under the real environment. */
export function stackDefaults(root = process.cwd()): Record<string, string> {
  const file = join(root, '.data', 'stack.env');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): TasklogConfig {
  const merged = { ...stackDefaults(), ...definedOnly(env) };
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${String(i.path[0])}=${JSON.stringify(merged[String(i.path[0])] ?? '')}: ${i.message}`,
    );
    throw new TasklogError(ErrorCode.CONFIG_INVALID, `invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    brokers: e.KAFKA_BROKERS,
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.TASKLOG_DB_SCHEMA,
    roles: e.TASKLOG_ROLES,
    topicPrefix: e.TASKLOG_TOPIC_PREFIX,
    partitions: e.TASKLOG_PARTITIONS,
    replication: e.TASKLOG_REPLICATION,
    concurrency: e.TASKLOG_CONCURRENCY,
    maxPayloadBytes: e.TASKLOG_MAX_PAYLOAD_BYTES,
    progressIntervalMs: e.TASKLOG_PROGRESS_INTERVAL_MS,
    sessionTimeoutMs: e.TASKLOG_SESSION_TIMEOUT_MS,
    workerId: e.TASKLOG_WORKER_ID,
    instanceId: e.TASKLOG_INSTANCE_ID,
    shutdownGraceMs: e.TASKLOG_SHUTDOWN_GRACE_MS,
    schedulerIntervalMs: e.TASKLOG_SCHEDULER_INTERVAL_MS,
    schedulerLeaderIntervalMs: e.TASKLOG_SCHEDULER_LEADER_INTERVAL_MS,
    apiKeys: Object.fromEntries(e.TASKLOG_API_KEYS.map((p) => [p.slice(0, p.lastIndexOf(':')), p.slice(p.lastIndexOf(':') + 1)])),
    logLevel: e.LOG_LEVEL,
  };
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
