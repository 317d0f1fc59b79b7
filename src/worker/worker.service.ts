import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { retryWithBackoff } from '../common/retry';
import { hostname } from 'node:os';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { decodeCancelSignal, decodeRunCommand, encodeEvent, originEvents, RunCommand, TaskEvent } from '../events';
import {
  BroadcastConsumer,
  deadLetter,
  DeadLetterKind,
  HandleResult,
  Header,
  InMessage,
  OutMessage,
  ParallelConsumer,
  recordHeaders,
} from '../kafka';
import { Semaphore } from '../kafka/semaphore';
import { KafkaService } from '../kafka/kafka.service';
import { exhaustedLetter } from './exhausted-letter';
import { HeartbeatSender } from './heartbeat.sender';
import { HandlerRegistry } from './handler.registry';
import { CancelledTasks } from './cancelled-tasks';
import { RecentRuns } from './recent-runs';
import { StartGate } from './start-gate';
import { TaskRunner } from './task.runner';

/** Slots per lane under saturation, out of 10. */
export const LANE_WEIGHTS = { high: 6, normal: 3, low: 1 } as const;

/** The worker role: consumes the command lanes and runs handlers beside the fetch loop. */
@Injectable()
export class WorkerService implements BeforeApplicationShutdown {
  readonly workerId: string;
  private consumer: ParallelConsumer | null = null;
  private readonly runner: TaskRunner;
  private readonly recent = new RecentRuns();
  private readonly cancelled = new CancelledTasks();
  private readonly gate: StartGate;
  private control: BroadcastConsumer | null = null;
  private heartbeat: HeartbeatSender | null = null;
  private readonly typeGates = new Map<string, Semaphore | null>();
  /** The run command of each attempt in flight, by `taskId:attempt`: the provenance of its dead letter if it ends failed. */
  private readonly commands = new Map<string, InMessage>();
  private readonly log: JsonLogger;
  /** Set once the consumer has stopped: writes still failing then give up (their offsets stay uncommitted). */
  private stopped = true;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly kafka: KafkaService,
    private readonly registry: HandlerRegistry,
    private readonly clock: Clock,
    logger: JsonLogger,
  ) {
    this.workerId = config.workerId ?? `${hostname()}-${process.pid}`;
    this.log = logger.child({ component: 'worker', workerId: this.workerId });
    this.runner = new TaskRunner({
      registry,
      append: (events, traceparent) => this.append(events, traceparent),
      now: () => clock.now(),
      workerId: this.workerId,
      progressIntervalMs: config.progressIntervalMs,
      maxResultBytes: config.maxPayloadBytes,
      logger: this.log,
    });
    this.gate = new StartGate(this.cancelled, () => clock.now());
  }

  /** Group joins seen by this worker; a long task must not cause more than the first. */
  get joins(): number {
    return this.consumer?.joins ?? 0;
  }

  /** Handlers that have not returned yet (a timed-out one counts until it really returns). */
  get running(): number {
    return this.runner.running;
  }

  /** Run commands taken from Kafka and not finished yet: running or waiting for a slot. */
  get inFlight(): number {
    return this.consumer?.inFlight ?? 0;
  }

  async start(): Promise<void> {
    await this.kafka.ensureTopics();
    const t = this.kafka.topics.commands;
    const maxBuffered = Math.max(this.config.concurrency * 4, 100);
    this.stopped = false;
    // Cancels first: from the moment this worker takes commands, it hears their cancels.
    // (A start retried after a failure replaces the listener of the failed one.)
    await this.control?.stop();
    this.control = new BroadcastConsumer(this.kafka.client, {
      groupId: `${this.config.topicPrefix}.control.${this.workerId}`,
      topic: this.kafka.topics.control,
      logger: this.log,
      handle: (m) => this.onCancelSignal(m),
    });
    await this.control.start();
    this.consumer = new ParallelConsumer(this.kafka.client, {
      groupId: `${this.config.topicPrefix}.workers`,
      topics: [t.high, t.normal, t.low],
      concurrency: this.config.concurrency,
      // Under saturation the lanes share slots 6:3:1 (ADR 0005): high first, low never starved.
      topicWeights: { [t.high]: LANE_WEIGHTS.high, [t.normal]: LANE_WEIGHTS.normal, [t.low]: LANE_WEIGHTS.low },
      maxBuffered,
      // Offsets a partition may track past its commit point: far above the buffer, so only a
      // pinned offset (a message that never finishes) reaches it, not a busy partition.
      maxPendingPerPartition: maxBuffered * 10,
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      logger: this.log,
      memberTag: this.workerId,
      keyOf: (m) => m.key,
      gateOf: (m) => this.typeGate(m),
      handle: (m) => this.handle(m),
      release: (m) => this.release(m),
    });
    await this.consumer.start();
    await this.heartbeat?.stop();
    this.heartbeat = this.heartbeatSender(new Date(this.clock.now()).toISOString());
    this.heartbeat.start();
    this.log.write('info', 'worker started', { taskTypes: this.registry.types(), concurrency: this.config.concurrency });
  }

  /**
   * Starts nothing more: queued commands are handed back at once; running handlers get
   * `shutdownGraceMs`, then their `ctx.signal` aborts and their attempts are handed back too.
   */
  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    try {
      await c?.stop({
        graceMs: this.config.shutdownGraceMs,
        onGraceExpired: () => this.runner.abortAll(`the worker is shutting down (grace period of ${this.config.shutdownGraceMs} ms over)`),
      });
    } finally {
      this.stopped = true;
      // Only now: a task running through the grace period can still be cancelled.
      await this.control?.stop();
      this.control = null;
      // Heartbeats go on through the grace period; the tombstone says this worker is gone.
      await this.heartbeat?.stop();
      this.heartbeat = null;
    }
  }

  private heartbeatSender(startedAt: string): HeartbeatSender {
    const intervalMs = this.config.heartbeatIntervalMs;
    return new HeartbeatSender({
      kafka: this.kafka.client,
      topic: this.kafka.topics.workers,
      workerId: this.workerId,
      intervalMs,
      logger: this.log,
      snapshot: () => ({
        workerId: this.workerId,
        host: hostname(),
        pid: process.pid,
        roles: this.config.roles,
        startedAt,
        heartbeatAt: new Date(this.clock.now()).toISOString(),
        intervalMs,
        concurrency: this.config.concurrency,
        freeSlots: Math.max(0, this.config.concurrency - this.runner.running),
        taskTypes: this.registry.types(),
        running: this.runner.runningTasks(),
      }),
    });
  }

  /** Before onApplicationShutdown, so the producers are still open while running tasks finish. */
  beforeApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** The task type's own cap (`@TaskHandler(type, { concurrency })`), if it has one. */
  private typeGate(m: InMessage): Semaphore | null {
    const type = m.headers[Header.TASK_TYPE];
    if (!type) return null;
    let gate = this.typeGates.get(type);
    if (gate === undefined) {
      const cap = this.registry.options(type)?.concurrency;
      gate = cap ? new Semaphore(cap) : null;
      this.typeGates.set(type, gate);
    }
    return gate;
  }

  private async handle(m: InMessage): Promise<HandleResult> {
    let command: RunCommand;
    try {
      command = decodeRunCommand(m.value);
    } catch (e) {
      await this.deadLetter(m, `malformed run command: ${(e as Error).message}`);
      return;
    }
    // A single-record enqueue's events go to the events topic first, whatever happens next (ADR 0009).
    const carried = originEvents(command);
    // The enqueuing request's trace travels on every event of the task.
    const traceparent = m.headers[Header.TRACEPARENT];
    if (!this.registry.has(command.taskType)) {
      // Not the task's fault and not ours to fail: see docs/adr/0003-unknown-task-types.md.
      if (carried.length) await this.append(carried, traceparent);
      await this.deadLetter(m, `no handler for task type "${command.taskType}" on this worker`, command);
      return;
    }
    // Checked when a slot is free, not when fetched: the command may have waited in the buffer.
    const instead = this.gate.check(command, Number(m.timestamp));
    if (instead) {
      this.log.write('info', `run command not started: ${instead.type}`, { taskId: command.taskId, attempt: command.attempt });
      return { durable: this.append([...carried, instead], traceparent) };
    }
    if (!this.recent.claim(command.taskId, command.attempt)) {
      this.log.write('debug', 'duplicate run command skipped', { taskId: command.taskId, attempt: command.attempt, offset: m.offset });
      return;
    }
    const redelivery = m.headers[Header.RELEASED] === 'true' || m.redelivered === true;
    const attemptKey = `${command.taskId}:${command.attempt}`;
    this.commands.set(attemptKey, m);
    const run = await this.runner.run(command, { redelivery, before: carried, traceparent }).catch((e) => {
      this.commands.delete(attemptKey);
      throw e;
    });
    const durable = run.durable.finally(() => this.commands.delete(attemptKey));
    if (!run.released) return { durable };
    this.recent.forget(command.taskId, command.attempt);
    return { durable: durable.then(() => this.release(m)) };
  }

  /** Remembers the cancel (for commands still to come) and aborts the attempt if it runs here. */
  private onCancelSignal(m: InMessage): void {
    const signal = decodeCancelSignal(m.value);
    this.cancelled.add(signal, Number(m.timestamp));
    const aborted = this.runner.cancel(signal.taskId, signal.attempt, signal.reason);
    this.log.write(aborted ? 'info' : 'debug', 'cancel signal', { taskId: signal.taskId, attempt: signal.attempt, aborted });
  }

  /**
   * Hands a command back unrun: the same record, re-published to its own topic with its key and
   * a `tasklog-released` header. Once Kafka has it, this offset may be committed.
   */
  private release(m: InMessage): Promise<void> {
    // The next worker would not know of a cancel heard here (and would see a fresh timestamp):
    // a command that must not start ends here instead of being handed on.
    const instead = this.endingInsteadOfRelease(m);
    if (instead) return this.publish(instead, [], m.headers[Header.TRACEPARENT]);
    return this.kafka.ordered.publish([
      {
        topic: m.topic,
        key: m.key ?? '',
        value: m.value ?? Buffer.alloc(0),
        headers: { ...m.headers, [Header.RELEASED]: 'true' },
      },
    ]);
  }

  /** The events that end a command here instead of handing it on (with what its enqueue carried), or null. */
  private endingInsteadOfRelease(m: InMessage): TaskEvent[] | null {
    try {
      const command = decodeRunCommand(m.value);
      const instead = this.gate.check(command, Number(m.timestamp));
      return instead ? [...originEvents(command), instead] : null;
    } catch {
      return null;
    }
  }

  /**
   * Retries until Kafka has the events: an outcome is never dropped, and the offset waits for it.
   * A final `task.failed` takes its dead letter along in the same publish, so the run command's
   * offset is only committed once both are written (a resend may write the letter twice; the
   * dead-letter table keeps one per task attempt).
   */
  private append(events: TaskEvent[], traceparent?: string): Promise<void> {
    const letters = events.flatMap((e) => {
      const command = this.commands.get(`${e.taskId}:${e.attempt}`);
      const letter = command ? exhaustedLetter(this.kafka.topics.dlq, command, e) : null;
      return letter ? [letter] : [];
    });
    return this.retry('appending events', () => this.publish(events, letters, traceparent));
  }

  /** Retried like an append: a dead letter that cannot be written holds its offset back. */
  private deadLetter(m: InMessage, reason: string, command?: RunCommand): Promise<void> {
    this.log.write('warn', 'run command sent to the DLQ', { topic: m.topic, partition: m.partition, offset: m.offset, reason });
    const letter = deadLetter(this.kafka.topics.dlq, m, {
      kind: DeadLetterKind.POISON,
      reason,
      taskId: command?.taskId,
      tenantId: command?.tenantId ?? m.headers[Header.TENANT_ID],
      attempt: command?.attempt,
    });
    return this.retry('writing a dead letter', () => this.kafka.ordered.publish([letter]));
  }

  private retry(what: string, fn: () => Promise<void>): Promise<void> {
    return retryWithBackoff(fn, {
      initialMs: 200,
      maxMs: 5000,
      stop: () => this.stopped,
      onError: (e, retryInMs) => this.log.write('warn', `${what} failed; retrying`, { error: e.message, retryInMs }),
    });
  }

  private publish(events: TaskEvent[], letters: OutMessage[] = [], traceparent?: string): Promise<void> {
    return this.kafka.ordered.publish([
      ...events.map(
        (e): OutMessage => ({
          topic: this.kafka.topics.events,
          key: e.taskId,
          value: encodeEvent(e),
          headers: recordHeaders(e.type, e.tenantId, e.v, traceparent),
        }),
      ),
      ...letters,
    ]);
  }
}
