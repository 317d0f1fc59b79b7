import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ErrorCode, TasklogError } from '../common/errors';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { DatabaseService } from '../projection/database.service';
import { HandlerRegistry } from '../worker/handler.registry';
import { EnqueueOptions } from './enqueue-options';
import { TaskClient } from './task-client';
import { TaskState } from '../domain';

/** TaskClient as an injectable: `constructor(private readonly tasks: TaskClientService)`. */
@Injectable()
export class TaskClientService {
  private readonly client: TaskClient;

  constructor(
    @Inject(TASKLOG_CONFIG) config: TasklogConfig,
    kafka: KafkaService,
    registry: HandlerRegistry,
    db: DatabaseService,
    clock: Clock,
  ) {
    this.client = new TaskClient({
      publisher: kafka.transactional,
      topics: kafka.topics,
      now: () => clock.now(),
      maxPayloadBytes: config.maxPayloadBytes,
      isKnownType: (t) => registry.has(t),
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
}
