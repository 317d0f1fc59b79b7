import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorCode, TasklogError } from '../common/errors';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { KafkaService } from '../kafka/kafka.service';
import { DatabaseService } from '../projection/database.service';
import { Tenant } from './tenant';
import { TenantScoped } from './tenant-scoped.decorator';

@ApiTags('stats')
@Controller('v1/stats')
@TenantScoped()
export class StatsController {
  private live: { at: number; workers: Promise<string[]> } | null = null;

  constructor(
    private readonly db: DatabaseService,
    private readonly kafka: KafkaService,
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
  ) {}

  /** Counts by status and by type for the caller's tenant, and the running tasks whose worker vanished. */
  @Get()
  @RequireScope('read')
  @ApiOkResponse({ description: '{ byStatus, byType, stalled, liveWorkers }' })
  async stats(@Tenant() tenantId: string) {
    const workers = await this.liveWorkers();
    try {
      const q = await this.db.queries();
      const [byStatus, byType, stalled] = await Promise.all([
        q.countByStatus(tenantId),
        q.countByType(tenantId),
        workers ? q.stalled(tenantId, workers, this.config.stallWindowMs) : null,
      ]);
      return { byStatus, byType, stalled, liveWorkers: workers?.length ?? null };
    } catch (e) {
      throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `the read model is unreachable: ${(e as Error).message}`);
    }
  }

  /** The workers group's live members (cached 5 s); null when Kafka cannot tell. */
  private async liveWorkers(): Promise<string[] | null> {
    if (!this.live || Date.now() - this.live.at > 5000) {
      this.live = { at: Date.now(), workers: this.kafka.client.liveMemberTags(`${this.config.topicPrefix}.workers`) };
    }
    return this.live.workers.catch(() => null);
  }
}
