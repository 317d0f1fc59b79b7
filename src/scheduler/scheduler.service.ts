import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { DatabaseService } from '../projection/database.service';
import { DueDispatcher } from './due-dispatcher';
import { findDueTasks } from './due-tasks.query';
import { ExpirySweeper } from './expiry-sweeper';
import { RetentionSweeper } from './retention-sweeper';
import { findTasksToSweep } from './sweep-tasks.query';
import { LeaderLock } from './leader-lock';
import { RecurringExplorer } from './schedules/recurring.explorer';
import { ScheduleService } from './schedules/schedule.service';

export const LEADER_INTERVAL = 'tasklog.scheduler.leader';
export const DISPATCH_INTERVAL = 'tasklog.scheduler.dispatch';
export const SWEEP_INTERVAL = 'tasklog.scheduler.sweep';
export const CRON_INTERVAL = 'tasklog.scheduler.cron';
export const RETENTION_INTERVAL = 'tasklog.scheduler.retention';
/** Due tasks read per tick; more wait for the next tick. */
const BATCH = 2000;

/**
 * The scheduler role: one leader across processes (a Postgres advisory lock), standbys retry
 * every leader interval. The leader queues delayed tasks and retries when they are due, and
 * ends tasks not started by their deadline (and retries whose cancel was requested), and
 * deletes finished tasks past TASKLOG_RETENTION_DAYS. Its
 * loops are `SchedulerRegistry` intervals, visible and stoppable the Nest way.
 */
@Injectable()
export class SchedulerService implements BeforeApplicationShutdown {
  private lock: LeaderLock | null = null;
  private dispatcher: DueDispatcher | null = null;
  private sweeper: ExpirySweeper | null = null;
  private retention: RetentionSweeper | null = null;
  private ticking = false;
  private sweeping = false;
  private evaluating = false;
  private purging = false;
  private readonly log: JsonLogger;
  /** Due tasks not dispatched yet when the leader's latest dispatch tick read them (at most a batch). */
  dueTasks = 0;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly registry: SchedulerRegistry,
    private readonly kafka: KafkaService,
    private readonly db: DatabaseService,
    private readonly clock: Clock,
    logger: JsonLogger,
    private readonly schedules: ScheduleService,
    private readonly recurring: RecurringExplorer,
  ) {
    this.log = logger.child({ component: 'scheduler' });
  }

  get isLeader(): boolean {
    return this.lock?.isHeld ?? false;
  }

  async start(): Promise<void> {
    if (this.lock) return;
    await this.kafka.ensureTopics();
    await this.db.get();
    this.lock = new LeaderLock(this.config.databaseUrl, `tasklog:scheduler:${this.config.topicPrefix}:${this.config.dbSchema}`);
    this.dispatcher = new DueDispatcher({
      topics: this.kafka.topics,
      publish: (group) => this.kafka.transactional.publish(group),
      now: () => this.clock.now(),
    });
    this.sweeper = new ExpirySweeper({
      topics: this.kafka.topics,
      publish: (group) => this.kafka.transactional.publish(group),
      now: () => this.clock.now(),
    });
    this.retention = new RetentionSweeper({
      purge: async (cutoff, limit) => (await this.db.deletion()).purgeFinishedBefore(cutoff, limit),
      now: () => this.clock.now(),
      retentionDays: this.config.retentionDays,
      tombstones:
        this.config.eventsRetentionMs > 0
          ? {
              retentionMs: this.config.eventsRetentionMs,
              purge: async (cutoff, limit) => (await this.db.deletion()).purgeTombstonesBefore(cutoff, limit),
            }
          : undefined,
    });
    // Code schedules by name (tenant `default`): every scheduler process writes the same rows.
    for (const def of this.recurring.definitions) await this.schedules.create('default', def, 'code');
    await this.leaderTick();
    this.registry.addInterval(
      CRON_INTERVAL,
      setInterval(() => void this.cronTick(), this.config.schedulerIntervalMs),
    );
    this.registry.addInterval(
      LEADER_INTERVAL,
      setInterval(() => void this.leaderTick(), this.config.schedulerLeaderIntervalMs),
    );
    this.registry.addInterval(
      DISPATCH_INTERVAL,
      setInterval(() => void this.dispatchTick(), this.config.schedulerIntervalMs),
    );
    this.registry.addInterval(
      SWEEP_INTERVAL,
      setInterval(() => void this.sweepTick(), this.config.schedulerIntervalMs),
    );
    this.registry.addInterval(
      RETENTION_INTERVAL,
      setInterval(() => void this.retentionTick(), this.config.retentionIntervalMs),
    );
  }

  async stop(): Promise<void> {
    for (const name of [LEADER_INTERVAL, DISPATCH_INTERVAL, SWEEP_INTERVAL, CRON_INTERVAL, RETENTION_INTERVAL]) {
      if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    }
    await this.lock?.release();
    this.lock = null;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async leaderTick(): Promise<void> {
    const lock = this.lock;
    if (!lock) return;
    const was = lock.isHeld;
    try {
      await lock.tryAcquire();
    } catch (e) {
      this.log.write('warn', 'scheduler cannot reach Postgres for leadership', { error: (e as Error).message });
    }
    if (lock.isHeld !== was) {
      this.dueTasks = 0;
      this.dispatcher?.reset();
      this.sweeper?.reset();
      this.log.write('info', lock.isHeld ? 'scheduler leadership acquired' : 'scheduler leadership lost', { pid: process.pid });
    }
  }

  private async dispatchTick(): Promise<void> {
    if (this.ticking || !this.isLeader || !this.dispatcher) return;
    this.ticking = true;
    try {
      const due = await findDueTasks(await this.db.get(), BATCH);
      this.dueTasks = this.dispatcher.unsent(due);
      if (due.length) await this.dispatcher.dispatch(due);
    } catch (e) {
      this.log.write('warn', 'dispatching due tasks failed; next tick retries', { error: (e as Error).message });
    } finally {
      this.ticking = false;
    }
  }

  private async sweepTick(): Promise<void> {
    if (this.sweeping || !this.isLeader || !this.sweeper) return;
    this.sweeping = true;
    try {
      const due = await findTasksToSweep(await this.db.get(), BATCH);
      if (due.length) await this.sweeper.sweep(due);
    } catch (e) {
      this.log.write('warn', 'sweeping expired tasks failed; next tick retries', { error: (e as Error).message });
    } finally {
      this.sweeping = false;
    }
  }

  /** Deletes finished tasks past the retention, in short batches. */
  private async retentionTick(): Promise<void> {
    if (this.purging || !this.isLeader || !this.retention) return;
    this.purging = true;
    try {
      const done = await this.retention.sweep();
      if (done.tasks > 0 || done.tombstones > 0) {
        this.log.write('info', 'retention deleted finished tasks', {
          tasks: done.tasks,
          historyRows: done.events,
          tombstones: done.tombstones,
          finishedBefore: done.cutoff.toISOString(),
        });
      }
    } catch (e) {
      this.log.write('warn', 'deleting finished tasks past retention failed; next tick retries', { error: (e as Error).message });
    } finally {
      this.purging = false;
    }
  }

  /** Evaluates recurring schedules; a fire is late by at most about one interval. */
  private async cronTick(): Promise<void> {
    if (this.evaluating || !this.isLeader) return;
    this.evaluating = true;
    try {
      await this.schedules.evaluate(this.config.schedulerIntervalMs * 2 + 1000);
    } catch (e) {
      this.log.write('warn', 'evaluating schedules failed; next tick retries', { error: (e as Error).message });
    } finally {
      this.evaluating = false;
    }
  }
}
