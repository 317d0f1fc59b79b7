import { z } from 'zod';
import { formatIssues } from './format-issues';

/** A task a worker is running, as its heartbeat reports it. */
export const RunningTaskSchema = z.object({
  taskId: z.string(),
  taskType: z.string(),
  tenantId: z.string(),
  attempt: z.number().int(),
  startedAt: z.string(),
});
export type RunningTask = z.infer<typeof RunningTaskSchema>;

/**
 * What a worker process writes to `<prefix>.workers` (key: its worker id) every heartbeat
 * interval; a tombstone (no value) when it stops. Readers keep the latest record per key.
 */
export const WorkerHeartbeatSchema = z.object({
  workerId: z.string().min(1),
  host: z.string(),
  pid: z.number().int(),
  roles: z.array(z.string()),
  startedAt: z.string(),
  heartbeatAt: z.string(),
  /** The writer's interval: a reader drops the worker after three of them without a heartbeat. */
  intervalMs: z.number().int().positive(),
  concurrency: z.number().int().min(0),
  freeSlots: z.number().int().min(0),
  taskTypes: z.array(z.string()),
  running: z.array(RunningTaskSchema),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeatSchema>;

export function encodeHeartbeat(h: WorkerHeartbeat): Buffer {
  return Buffer.from(JSON.stringify(h));
}

export function decodeHeartbeat(raw: Buffer): WorkerHeartbeat {
  const parsed = WorkerHeartbeatSchema.safeParse(JSON.parse(raw.toString()));
  if (!parsed.success) throw new Error(formatIssues(parsed.error.issues));
  return parsed.data;
}
