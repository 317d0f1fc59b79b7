import { z } from 'zod';
import { ErrorCode, TasklogError } from '../common/errors';

export const ROLES = ['api', 'worker', 'projector', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * The rule for each value that both the environment and TasklogModule.forRoot options can set.
 * Both go through these, so an option given in code is held to what the variable would be.
 */
const Rule = {
  port: int(0, 65535),
  broker: z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port'),
  databaseUrl: z.string().url(),
  // Goes into SQL as an identifier (search_path, create schema): keep it a plain lowercase one.
  dbSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase SQL identifier'),
  role: z.enum(ROLES),
  topicPrefix: z.string().regex(/^[a-zA-Z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
  partitions: int(1, 1000),
  replication: int(1, 10),
  concurrency: int(1, 10000),
  maxPayloadBytes: int(1, 64 * 1024 * 1024),
  progressIntervalMs: int(0, 60000),
  sessionTimeoutMs: int(6000, 300000),
  workerId: z.string().min(1).max(200),
  instanceId: z.string().regex(/^[a-zA-Z0-9._-]{1,100}$/, 'letters, digits, dot, dash, underscore'),
  shutdownGraceMs: int(0, 3600000),
  schedulerIntervalMs: int(10, 60000),
  schedulerLeaderIntervalMs: int(100, 60000),
  stallWindowMs: int(1000, 86_400_000),
  sseKeepAliveMs: int(100, 3_600_000),
  heartbeatIntervalMs: int(100, 60000),
  retentionDays: int(1, 36500),
  retentionIntervalMs: int(100, 86_400_000),
  // Kafka's retention.ms: -1 keeps forever; else at least an hour.
  eventsRetentionMs: z.coerce
    .number()
    .int()
    .refine((n) => n === -1 || n >= 3_600_000, 'expected -1 (forever) or at least 3600000 (an hour)'),
  apiKey: z.string().regex(/^[^:\s,]+$/, 'no colon, comma or whitespace'),
  tenant: z.string().regex(/^[a-zA-Z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
  /** What an env key maps to: its tenant, optionally `:read`, `:write` or `:admin` (default admin). */
  keyOwner: z.string().regex(/^[a-zA-Z0-9._-]+(:(read|write|admin))?$/, 'tenant or tenant:read|write|admin'),
  rateLimit: int(0, 1_000_000),
  rateLimitWindowMs: int(1, 3_600_000),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
};

/** Every environment variable the engine reads, validated once, here. */
export const EnvSchema = z.object({
  PORT: Rule.port.default(3000),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(Rule.broker).min(1)),
  DATABASE_URL: Rule.databaseUrl.default('postgres://postgres@127.0.0.1:5432/tasklog'),
  TASKLOG_DB_SCHEMA: Rule.dbSchema.default('public'),
  TASKLOG_ROLES: z
    .string()
    .default(ROLES.join(','))
    .transform((s) =>
      s
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(z.array(Rule.role).min(1)),
  TASKLOG_TOPIC_PREFIX: Rule.topicPrefix.default('tasklog'),
  TASKLOG_PARTITIONS: Rule.partitions.default(3),
  TASKLOG_REPLICATION: Rule.replication.default(1),
  TASKLOG_CONCURRENCY: Rule.concurrency.default(20),
  TASKLOG_MAX_PAYLOAD_BYTES: Rule.maxPayloadBytes.default(1024 * 1024),
  TASKLOG_PROGRESS_INTERVAL_MS: Rule.progressIntervalMs.default(250),
  TASKLOG_SESSION_TIMEOUT_MS: Rule.sessionTimeoutMs.default(6000),
  TASKLOG_WORKER_ID: Rule.workerId.optional(),
  /** Names this process among its peers on one host; part of the stable transactional id. */
  TASKLOG_INSTANCE_ID: Rule.instanceId.optional(),
  /** How long a stopping worker lets running handlers finish before it aborts them. */
  TASKLOG_SHUTDOWN_GRACE_MS: Rule.shutdownGraceMs.default(30000),
  /** How often the scheduler leader looks for due tasks. */
  TASKLOG_SCHEDULER_INTERVAL_MS: Rule.schedulerIntervalMs.default(200),
  /** How often a standby scheduler tries to become leader (failover time is about this). */
  TASKLOG_SCHEDULER_LEADER_INTERVAL_MS: Rule.schedulerLeaderIntervalMs.default(1000),
  /** A running task whose worker left the group this long ago (no update since) counts as stalled. */
  TASKLOG_STALL_WINDOW_MS: Rule.stallWindowMs.default(30000),
  /** How often an idle SSE stream sends a keep-alive comment line. */
  TASKLOG_SSE_KEEPALIVE_MS: Rule.sseKeepAliveMs.default(15000),
  /** How often a worker announces itself on `<prefix>.workers`; it drops out of `GET /v1/workers` after 3 missed. */
  TASKLOG_HEARTBEAT_INTERVAL_MS: Rule.heartbeatIntervalMs.default(10000),
  /** Finished tasks and their history leave Postgres this many days after they finished (events stay in Kafka). */
  TASKLOG_RETENTION_DAYS: Rule.retentionDays.default(30),
  /** How often the scheduler leader deletes a round of expired finished tasks. */
  TASKLOG_RETENTION_INTERVAL_MS: Rule.retentionIntervalMs.default(60000),
  /** retention.ms the events topic is created with; -1 (the default) keeps the history forever. */
  TASKLOG_EVENTS_RETENTION_MS: Rule.eventsRetentionMs.default(-1),
  TASKLOG_API_KEYS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:[a-zA-Z0-9._-]+(:(read|write|admin))?$/, 'expected key:tenant or key:tenant:scope'))),
  /** Requests per API key (per client IP when the API is open) in each window; 0 turns the limit off. */
  TASKLOG_RATE_LIMIT: Rule.rateLimit.default(2000),
  TASKLOG_RATE_LIMIT_WINDOW_MS: Rule.rateLimitWindowMs.default(1000),
  LOG_LEVEL: Rule.logLevel.default('info'),
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
  stallWindowMs: number;
  sseKeepAliveMs: number;
  heartbeatIntervalMs: number;
  retentionDays: number;
  retentionIntervalMs: number;
  /** retention.ms of the events topic when it is created (-1: forever); an existing topic keeps its own. */
  eventsRetentionMs: number;
  /**
   * API key -> `tenant` or `tenant:scope` (scope read, write or admin; admin when left out). With
   * none here and none stored (`tasklog api-key create`), every request belongs to tenant `default`.
   */
  apiKeys: Record<string, string>;
  /** Requests one API key may make per `rateLimitWindowMs` (0: unlimited). */
  rateLimit: number;
  rateLimitWindowMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Recurring schedules from module options (ScheduleDefinition), upserted at startup by name. */
  schedules?: unknown[];
  /**
   * A producer-only app (no handlers here) enqueues types it does not know when this is true;
   * otherwise an unknown type is refused at enqueue (422). Module option only.
   */
  allowUnknownTypes?: boolean;
};

export function loadConfig(env: Record<string, string | undefined> = process.env): TasklogConfig {
  const merged = definedOnly(env);
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
    stallWindowMs: e.TASKLOG_STALL_WINDOW_MS,
    sseKeepAliveMs: e.TASKLOG_SSE_KEEPALIVE_MS,
    heartbeatIntervalMs: e.TASKLOG_HEARTBEAT_INTERVAL_MS,
    retentionDays: e.TASKLOG_RETENTION_DAYS,
    retentionIntervalMs: e.TASKLOG_RETENTION_INTERVAL_MS,
    eventsRetentionMs: e.TASKLOG_EVENTS_RETENTION_MS,
    // A key has no colon, so the first one ends it.
    apiKeys: apiKeyRecord(e.TASKLOG_API_KEYS.map((p) => [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)])),
    rateLimit: e.TASKLOG_RATE_LIMIT,
    rateLimitWindowMs: e.TASKLOG_RATE_LIMIT_WINDOW_MS,
    logLevel: e.LOG_LEVEL,
  };
}

/** The merged configuration, checked with the same rules as the environment. */
const ConfigSchema = z.object({
  port: Rule.port,
  brokers: z.array(Rule.broker).min(1),
  databaseUrl: Rule.databaseUrl,
  dbSchema: Rule.dbSchema,
  roles: z.array(Rule.role).min(1),
  topicPrefix: Rule.topicPrefix,
  partitions: Rule.partitions,
  replication: Rule.replication,
  concurrency: Rule.concurrency,
  maxPayloadBytes: Rule.maxPayloadBytes,
  progressIntervalMs: Rule.progressIntervalMs,
  sessionTimeoutMs: Rule.sessionTimeoutMs,
  workerId: Rule.workerId.optional(),
  instanceId: Rule.instanceId.optional(),
  shutdownGraceMs: Rule.shutdownGraceMs,
  schedulerIntervalMs: Rule.schedulerIntervalMs,
  schedulerLeaderIntervalMs: Rule.schedulerLeaderIntervalMs,
  stallWindowMs: Rule.stallWindowMs,
  sseKeepAliveMs: Rule.sseKeepAliveMs,
  heartbeatIntervalMs: Rule.heartbeatIntervalMs,
  retentionDays: Rule.retentionDays,
  retentionIntervalMs: Rule.retentionIntervalMs,
  eventsRetentionMs: Rule.eventsRetentionMs,
  apiKeys: z.record(Rule.apiKey, Rule.keyOwner),
  rateLimit: Rule.rateLimit,
  rateLimitWindowMs: Rule.rateLimitWindowMs,
  logLevel: Rule.logLevel,
  // Checked by the scheduler's own schema at startup, where an error can name the schedule.
  schedules: z.array(z.unknown()).optional(),
  allowUnknownTypes: z.boolean().optional(),
});

/**
 * The environment overlaid with TasklogModule.forRoot options, validated once: an option set in
 * code (a schema name, a topic prefix) is held to the rules its environment variable is, and a bad
 * one stops startup with a message naming it.
 */
export function resolveConfig(options: Partial<TasklogConfig> = {}, env: Record<string, string | undefined> = process.env): TasklogConfig {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const merged: Record<string, unknown> = { ...loadConfig(env), ...given };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `${i.path.map(String).join('.')}=${JSON.stringify(merged[name]) ?? 'undefined'}: ${i.message}`;
    });
    throw new TasklogError(ErrorCode.CONFIG_INVALID, `invalid Tasklog options: ${problems.join('; ')}`);
  }
  // The parsed numbers are coerced; the key record is copied by own entries onto no prototype.
  return { ...parsed.data, apiKeys: apiKeyRecord(Object.entries(merged.apiKeys as Record<string, string>)) };
}

/** Key -> tenant as a record without a prototype, so no inherited name reads as a key. */
function apiKeyRecord(entries: [string, string][]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, tenant] of entries) out[key] = tenant;
  return out;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
