import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorCode, TasklogError } from '../common/errors';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { TERMINAL_STATUSES } from '../domain';
import { KafkaService } from '../kafka/kafka.service';
import { Lane } from '../kafka/topics';
import { DatabaseService } from '../projection/database.service';
import { Tenant } from './tenant';
import { TenantScoped } from './tenant-scoped.decorator';

@ApiTags('stats')
@Controller('v1/stats')
@TenantScoped()
export class StatsController {
  private live: { at: number; workers: Promise<string[]> } | null = null;
  private lag: { at: number; byTopic: Promise<Record<string, number>> } | null = null;

  constructor(
    private readonly db: DatabaseService,
    private readonly kafka: KafkaService,
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
  ) {}

  /**
   * Counts by status and by type, finished-task windows (rates, p50/p95 durations, throughput,
   * retries per type), queue depth per lane with the workers' Kafka lag, and the running tasks
   * whose worker vanished. The lag is the whole group's (lanes are shared by every tenant).
   */
  @Get()
  @RequireScope('read')
  @ApiOkResponse({ description: '{ byStatus, byType, stalled, liveWorkers }' })
  async stats(@Tenant() tenantId: string) {
    const [workers, lag] = await Promise.all([this.liveWorkers(), this.laneLag()]);
    try {
      const [q, s] = await Promise.all([this.db.queries(), this.db.statsQueries()]);
      const [{ byStatus, byType }, stalled, windows, depths] = await Promise.all([
        s.counts(tenantId),
        workers ? q.stalled(tenantId, workers, this.config.stallWindowMs) : null,
        s.windows(tenantId),
        s.laneDepths(tenantId),
      ]);
      const lanes = Object.fromEntries(
        Object.entries(depths).map(([lane, d]) => [lane, { ...d, kafkaLag: lag?.[this.kafka.topics.commands[lane as Lane]] ?? null }]),
      );
      return { byStatus, byType, ...outcomeRates(byStatus), windows, lanes, stalled, liveWorkers: workers?.length ?? null };
    } catch (e) {
      throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `the read model is unreachable: ${(e as Error).message}`);
    }
  }

  /** The workers group's lag per lane topic (cached 5 s); null when Kafka cannot tell. */
  private async laneLag(): Promise<Record<string, number> | null> {
    if (!this.lag || Date.now() - this.lag.at > 5000) {
      const topics = Object.values(this.kafka.topics.commands);
      this.lag = {
        at: Date.now(),
        byTopic: this.kafka.client.groupLag(`${this.config.topicPrefix}.workers`, topics, 2000).then((m) => Object.fromEntries(m)),
      };
    }
    return this.lag.byTopic.catch(() => null);
  }

  /** The workers group's live members (cached 5 s); null when Kafka cannot tell. */
  private async liveWorkers(): Promise<string[] | null> {
    if (!this.live || Date.now() - this.live.at > 5000) {
      this.live = { at: Date.now(), workers: this.kafka.client.liveMemberTags(`${this.config.topicPrefix}.workers`) };
    }
    return this.live.workers.catch(() => null);
  }
}

/** Of all finished tasks: the share that completed and the share that failed. */
function outcomeRates(byStatus: Record<string, number>): { successRate: number | null; failureRate: number | null } {
  const finished = TERMINAL_STATUSES.reduce((n, s) => n + (byStatus[s] ?? 0), 0);
  if (!finished) return { successRate: null, failureRate: null };
  const share = (n = 0) => Math.round((n / finished) * 10000) / 10000;
  return { successRate: share(byStatus.completed), failureRate: share(byStatus.failed) };
}
