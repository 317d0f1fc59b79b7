import { Injectable } from '@nestjs/common';
import { TaskClientService } from '../../client/task-client.service';
import { Clock } from '../../common/clock';
import { ErrorCode, TasklogError } from '../../common/errors';
import { isTerminal, TaskStatus } from '../../domain';
import { encodeEvent, SCHEMA_VERSION, TaskEvent } from '../../events';
import { recordHeaders } from '../../kafka';
import { KafkaService } from '../../kafka/kafka.service';
import { DatabaseService } from '../../projection/database.service';
import { HandlerRegistry } from '../../worker/handler.registry';
import { CronSpec, MAX_FIRES } from './cron-spec';
import { planFires } from './fire-plan';
import { parseSchedule } from './schedule-definition';
import { FireOrigin, fireKey, scheduleEvent } from './schedule-event.factory';
import { ScheduleStore, StoredSchedule } from './schedule.store';

/** Most fires one backfill enqueues; the answer says how many were left out. */
export const MAX_BACKFILL = 500;
/** Schedules the leader evaluates per tick. */
const DUE_BATCH = 200;

/**
 * Schedules: the REST/CLI operations and the leader's evaluation. Every fire goes through
 * `fire`, which enqueues with the key `schedule:<id>:<fire ISO>` (so a repeat after failover is
 * the same task) and appends `schedule.fired`; fires not run append `schedule.skipped`.
 *
 *   await schedules.create('acme', { name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin', task: { type: 'sync' } });
 */
@Injectable()
export class ScheduleService {
  constructor(
    private readonly tasks: TaskClientService,
    private readonly kafka: KafkaService,
    private readonly db: DatabaseService,
    private readonly handlers: HandlerRegistry,
    private readonly clock: Clock,
  ) {}

  async create(tenantId: string, input: unknown, source: 'code' | 'api' = 'api'): Promise<StoredSchedule> {
    const { def, spec } = parseSchedule(input);
    if (!this.handlers.has(def.task.type)) {
      throw new TasklogError(ErrorCode.UNKNOWN_TASK_TYPE, `schedule "${def.name}": unknown task type "${def.task.type}"`, {
        schedule: def.name,
        taskType: def.task.type,
      });
    }
    return (await this.store()).upsert(tenantId, def, source, new Date(spec.next(this.clock.now())));
  }

  list(tenantId: string): Promise<StoredSchedule[]> {
    return this.store().then((s) => s.list(tenantId));
  }

  async get(tenantId: string, id: string): Promise<StoredSchedule> {
    const found = await (await this.store()).get(tenantId, id);
    if (!found) throw new TasklogError(ErrorCode.SCHEDULE_NOT_FOUND, `no schedule ${id}`, { scheduleId: id });
    return found;
  }

  async setPaused(tenantId: string, id: string, paused: boolean): Promise<StoredSchedule> {
    const s = await this.get(tenantId, id);
    const next = new CronSpec(s.cron, s.timezone).next(this.clock.now());
    await (await this.store()).setPaused(tenantId, id, paused, new Date(next));
    return this.get(tenantId, id);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await (await this.store()).delete(tenantId, id))) {
      throw new TasklogError(ErrorCode.SCHEDULE_NOT_FOUND, `no schedule ${id}`, { scheduleId: id });
    }
  }

  /** Runs the schedule now, as a fire at the current time (paused or not). */
  async trigger(tenantId: string, id: string): Promise<{ taskId: string; fireAt: string }> {
    const s = await this.get(tenantId, id);
    const at = this.clock.now();
    const taskId = await this.fire(s, at, 'trigger');
    await (await this.store()).recordRun(s.id, new Date(at), taskId);
    return { taskId, fireAt: new Date(at).toISOString() };
  }

  /** Enqueues the fires in [from, to], at most MAX_BACKFILL; fires already made are the same tasks again. */
  async backfill(
    tenantId: string,
    id: string,
    from: number,
    to: number,
  ): Promise<{ count: number; truncated: boolean; taskIds: string[] }> {
    const s = await this.get(tenantId, id);
    const { fires, truncated } = new CronSpec(s.cron, s.timezone).between(from - 1, to, MAX_BACKFILL);
    const taskIds: string[] = [];
    // In slices, so the enqueues share group commits without one huge burst.
    for (let i = 0; i < fires.length; i += 100) {
      taskIds.push(...(await Promise.all(fires.slice(i, i + 100).map((at) => this.fire(s, at, 'backfill')))));
    }
    if (fires.length) await (await this.store()).recordRun(s.id, new Date(fires[fires.length - 1]), taskIds[taskIds.length - 1]);
    return { count: fires.length, truncated, taskIds };
  }

  /**
   * The leader's tick: for each schedule with pending fires, plan them (misfire, overlap), fire
   * and skip accordingly, then move its cursor past now. Resolves with the fires enqueued.
   */
  async evaluate(onTimeMs: number): Promise<number> {
    const store = await this.store();
    const now = this.clock.now();
    let fired = 0;
    for (const s of await store.due(new Date(now), DUE_BATCH)) {
      const spec = new CronSpec(s.cron, s.timezone);
      const cursor = s.nextFireAt!.getTime();
      const { fires } = spec.between(cursor - 1, now, MAX_FIRES);
      // A last task not projected yet counts as running: it was just enqueued.
      const active = s.lastTaskId !== null && (s.lastTaskStatus === null || !isTerminal(s.lastTaskStatus as TaskStatus));
      const plan = planFires({
        pending: fires,
        now,
        misfire: { graceMs: s.graceMs, catchUp: s.catchUp },
        overlap: s.overlap,
        previousRunActive: active,
        onTimeMs,
      });
      const at = new Date(now).toISOString();
      await this.append(plan.skipped.map((k) => scheduleEvent(s, k.at, 'cron', at, { fired: false, reason: k.reason })));
      let last: { fireAt: Date; taskId: string } | undefined;
      for (const fireAt of plan.run) {
        last = { fireAt: new Date(fireAt), taskId: await this.fire(s, fireAt, 'cron') };
        fired++;
      }
      await store.advance(s.id, s.nextFireAt!, new Date(spec.next(Math.max(now, cursor))), last);
    }
    return fired;
  }

  /** Enqueues one fire's task and appends `schedule.fired`; returns the task id. */
  private async fire(s: StoredSchedule, fireAt: number, origin: FireOrigin): Promise<string> {
    const task = await this.tasks.enqueue(s.taskType, s.payload ?? null, {
      ...s.taskOptions,
      tenantId: s.tenantId,
      idempotencyKey: fireKey(s.id, fireAt),
      // `queue`: fires share a concurrency key, so a fire's task starts when the previous one ended.
      ...(s.overlap === 'queue' ? { concurrencyKey: `schedule:${s.id}` } : {}),
      labels: { ...((s.taskOptions.labels as Record<string, string>) ?? {}), schedule: s.name },
    });
    await this.append([scheduleEvent(s, fireAt, origin, this.clock.iso(), { fired: true })]);
    return task.id;
  }

  private async append(events: TaskEvent[]): Promise<void> {
    if (!events.length) return;
    await this.kafka.transactional.publish(
      events.map((e) => ({
        topic: this.kafka.topics.events,
        key: e.taskId,
        value: encodeEvent(e),
        headers: recordHeaders(e.type, e.tenantId, SCHEMA_VERSION),
      })),
    );
  }

  private store(): Promise<ScheduleStore> {
    return this.db.get().then(
      (orm) => new ScheduleStore(orm),
      (e: Error) => {
        throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `the schedules table is unreachable: ${e.message}`);
      },
    );
  }
}
