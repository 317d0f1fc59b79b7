import { deterministicId, ErrorCode, TasklogError, uuidv7 } from '../common';
import { evolve, TaskState } from '../domain';
import { encodeEvent, EventType, makeEvent, RunCommand, SCHEMA_VERSION, TaskEvent } from '../events';
import { Header, laneFor, OutMessage, Topics, TransactionalPublisher } from '../kafka';
import { EnqueueOptions } from './enqueue-options';

export interface TaskClientDeps {
  publisher: TransactionalPublisher;
  topics: Topics;
  now: () => number;
  maxPayloadBytes: number;
  /** Whether a task type can run here; unknown types are refused at enqueue, not at run. */
  isKnownType: (taskType: string) => boolean;
  /** Finds an existing task for an idempotency key (the projection), when one is wired. */
  findExisting?: (tenantId: string, taskId: string) => Promise<TaskState | null>;
}

/**
 * Enqueues tasks: `task.enqueued`, `task.queued` and the run command go out in one Kafka
 * transaction, shared with every other enqueue in flight (group commit).
 *
 *   const task = await client.enqueue('report.build', { month: '2026-11' }, { priority: 8 });
 */
export class TaskClient {
  private readonly recentKeys = new Map<string, TaskState>();

  constructor(private readonly deps: TaskClientDeps) {}

  async enqueue(taskType: string, payload: unknown, options: EnqueueOptions = {}): Promise<TaskState> {
    const { deps } = this;
    if (!deps.isKnownType(taskType)) {
      throw new TasklogError(ErrorCode.UNKNOWN_TASK_TYPE, `unknown task type "${taskType}"`, { taskType });
    }
    const body = JSON.stringify(payload ?? null);
    const size = Buffer.byteLength(body);
    if (size > deps.maxPayloadBytes) {
      throw new TasklogError(ErrorCode.PAYLOAD_TOO_LARGE, `payload is ${size} bytes; the limit is ${deps.maxPayloadBytes}`, {
        size,
        limit: deps.maxPayloadBytes,
      });
    }
    const tenantId = options.tenantId ?? 'default';
    const taskId = options.idempotencyKey ? deterministicId('tasklog', tenantId, options.idempotencyKey) : uuidv7();
    if (options.idempotencyKey) {
      const existing = this.recentKeys.get(taskId) ?? (await deps.findExisting?.(tenantId, taskId));
      if (existing) return existing;
    }

    const at = new Date(deps.now()).toISOString();
    const scope = { taskId, tenantId, attempt: 0, correlationId: options.correlationId };
    const priority = options.priority ?? 5;
    const enqueued = makeEvent(
      EventType.ENQUEUED,
      scope,
      {
        taskType,
        payload: payload ?? null,
        priority,
        maxAttempts: options.maxAttempts ?? 1,
        backoff: options.backoff ?? { type: 'exponential', delayMs: 1000 },
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
        ...(options.concurrencyKey ? { concurrencyKey: options.concurrencyKey } : {}),
        ...(options.labels ? { labels: options.labels } : {}),
      },
      at,
    ) as TaskEvent;
    const queued = makeEvent(EventType.QUEUED, { ...scope, attempt: 1 }, { attempt: 1 }, at) as TaskEvent;
    const command: RunCommand = {
      taskId,
      tenantId,
      taskType,
      payload: payload ?? null,
      attempt: 1,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
      enqueuedAt: at,
    };
    const headers = (type: string) => ({
      [Header.EVENT_TYPE]: type,
      [Header.SCHEMA_VERSION]: String(SCHEMA_VERSION),
      [Header.TENANT_ID]: tenantId,
      [Header.CONTENT_TYPE]: 'application/json',
      ...(options.traceparent ? { [Header.TRACEPARENT]: options.traceparent } : {}),
    });
    const group: OutMessage[] = [
      { topic: deps.topics.events, key: taskId, value: encodeEvent(enqueued), headers: headers(enqueued.type) },
      { topic: deps.topics.events, key: taskId, value: encodeEvent(queued), headers: headers(queued.type) },
      {
        topic: deps.topics.commands[laneFor(priority)],
        key: options.concurrencyKey ?? taskId,
        value: Buffer.from(JSON.stringify(command)),
        headers: headers('task.run'),
      },
    ];
    await deps.publisher.publish(group);
    const state = evolve(evolve(null, enqueued), queued)!;
    if (options.idempotencyKey) this.remember(taskId, state);
    return state;
  }

  private remember(taskId: string, state: TaskState): void {
    this.recentKeys.set(taskId, state);
    if (this.recentKeys.size > 10000) this.recentKeys.delete(this.recentKeys.keys().next().value!);
  }
}
