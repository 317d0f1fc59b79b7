import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ErrorCode, TasklogError } from '../common/errors';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { decodeHeartbeat, WorkerHeartbeat } from '../events';
import { CompactedReader } from '../kafka';
import { KafkaService } from '../kafka/kafka.service';

/** A worker counts as gone after this many of its own heartbeat intervals without one. */
export const MISSED_HEARTBEATS = 3;
const CATCH_UP_MS = 5000;

/**
 * The live worker processes, as their heartbeats on `<prefix>.workers` tell: any API replica
 * answers the same, whichever process the workers run in. Reads the topic from the first call on.
 */
@Injectable()
export class WorkerDirectory implements OnApplicationShutdown {
  private readonly reader: CompactedReader;

  constructor(
    @Inject(TASKLOG_CONFIG) config: TasklogConfig,
    private readonly kafka: KafkaService,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
  ) {
    this.reader = new CompactedReader(kafka.client, {
      topic: kafka.topics.workers,
      groupPrefix: `${config.topicPrefix}.workers-view`,
      logger: logger.child({ component: 'workers-view' }),
    });
  }

  /** The latest heartbeat of each worker heard from within three of its intervals, by worker id. */
  async live(): Promise<WorkerHeartbeat[]> {
    try {
      await this.kafka.ensureTopics();
      await this.reader.ready(CATCH_UP_MS);
    } catch (e) {
      throw new TasklogError(ErrorCode.BROKER_UNAVAILABLE, `cannot read the workers topic: ${(e as Error).message}`);
    }
    const now = this.clock.now();
    const live: WorkerHeartbeat[] = [];
    for (const [workerId, value] of this.reader.entries()) {
      let beat: WorkerHeartbeat;
      try {
        beat = decodeHeartbeat(value);
      } catch (e) {
        this.logger.write('debug', 'unreadable heartbeat skipped', { workerId, error: (e as Error).message });
        continue;
      }
      if (now - Date.parse(beat.heartbeatAt) <= MISSED_HEARTBEATS * beat.intervalMs) live.push(beat);
    }
    return live.sort((a, b) => a.workerId.localeCompare(b.workerId));
  }

  onApplicationShutdown(): Promise<void> {
    return this.reader.stop();
  }
}
