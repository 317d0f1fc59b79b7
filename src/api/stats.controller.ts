import { Controller, Get, UseGuards } from '@nestjs/common';
import { ErrorCode, TasklogError } from '../common/errors';
import { DatabaseService } from '../projection/database.service';
import { Tenant } from './tenant';
import { TenantGuard } from './tenant.guard';

@Controller('v1/stats')
@UseGuards(TenantGuard)
export class StatsController {
  constructor(private readonly db: DatabaseService) {}

  /** Counts by status and by type for the caller's tenant. */
  @Get()
  async stats(@Tenant() tenantId: string) {
    try {
      const q = await this.db.queries();
      const [byStatus, byType] = await Promise.all([q.countByStatus(tenantId), q.countByType(tenantId)]);
      return { byStatus, byType };
    } catch (e) {
      throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `the read model is unreachable: ${(e as Error).message}`);
    }
  }
}
