import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ErrorCode, TasklogError } from '../common/errors';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { DatabaseService } from '../projection/database.service';
import { HandlerRegistry } from '../worker/handler.registry';
import { CancelOptions, CancelOptionsSchema } from './cancel-options';
import { EnqueueOptions } from './enqueue-options';
import { BatchItem, BatchItemResult, TaskClient } from './task-client';
import { REOPENABLE, TaskState } from '../domain';

/** TaskClient as an injectable: `constructor(private readonly tasks: TaskClientService)`. */
@Injectable()
export class TaskClientService {
  private readonly client: TaskClient;

  constructor(
    @Inject(TASKLOG_CONFIG) config: TasklogConfig,
    kafka: KafkaService,
    registry: HandlerRegistry,
    private readonly db: DatabaseService,
    clock: Clock,
  ) {
    this.client = new TaskClient({
      publisher: kafka.transactional,
      single: kafka.enqueues,
      topics: kafka.topics,
      now: () => clock.now(),
      maxPayloadBytes: config.maxPayloadBytes,
      isKnownType: (t) => config.allowUnknownTypes === true || registry.has(t),
      typeDefaults: (t) => registry.options(t),
      assertFits: (messages) => kafka.assertFits(messages),
      findExisting: async (tenantId, taskId) => {
        try {
          return await (await db.queries()).get(tenantId, taskId);
        } catch (e) {
          throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `cannot check the idempotency key: ${(e as Error).message}`);
        }
      },
    });
  }

  enqueue(taskType: string, payload: unknown, options?: EnqueueOptions): Promise<TaskState> {
    return this.client.enqueue(taskType, payload, options);
  }

  /** Many tasks in one Kafka transaction; see TaskClient.enqueueBatch. */
  enqueueBatch(items: BatchItem[], options: { tenantId?: string; atomic?: boolean } = {}): Promise<BatchItemResult[]> {
    return this.client.enqueueBatch(items, options);
  }

  /**
   * Cancels a scheduled, queued, retrying or running task (see TaskClient.cancel). 404 for no
   * such task (or another tenant's), 409 for a finished one, 400 for a reason that is too long.
   *
   *   await tasks.cancel('acme', id, { reason: 'customer left', requestedBy: 'support' });
   */
  async cancel(tenantId: string, taskId: string, options: CancelOptions = {}): Promise<TaskState> {
    const parsed = CancelOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new TasklogError(ErrorCode.INVALID_INPUT, `invalid cancel: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
        issues,
      });
    }
    const task = await this.find(tenantId, taskId);
    return this.client.cancel(task, parsed.data.requestedBy ?? 'api', parsed.data.reason);
  }

  /**
   * Re-opens a failed, cancelled or expired task with a fresh attempt budget (by default the
   * `maxAttempts` it was enqueued with). 404 for no such task, 409 for one in another state.
   * The re-opened runs are traced in `traceparent` (the retry's own trace), if given.
   */
  async retry(
    tenantId: string,
    taskId: string,
    options: { requestedBy?: string; attempts?: number; traceparent?: string } = {},
  ): Promise<TaskState> {
    const task = await this.find(tenantId, taskId);
    if (!REOPENABLE.includes(task.status)) {
      throw new TasklogError(
        ErrorCode.TASK_STATE_CONFLICT,
        `task ${taskId} is ${task.status}; only failed, cancelled or expired tasks can be retried`,
        {
          taskId,
          taskStatus: task.status,
        },
      );
    }
    const attempts = options.attempts ?? (await (await this.queries()).enqueuedMaxAttempts(tenantId, taskId)) ?? 1;
    return this.client.retry(task, options.requestedBy ?? 'api', attempts, options.traceparent);
  }

  private async find(tenantId: string, taskId: string): Promise<TaskState> {
    const task = await (await this.queries()).get(tenantId, taskId);
    if (!task) throw new TasklogError(ErrorCode.TASK_NOT_FOUND, `no task ${taskId}`, { taskId });
    return task;
  }

  private queries() {
    return this.db.queries().catch((e: Error) => {
      throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `the read model is unreachable: ${e.message}`);
    });
  }
}
