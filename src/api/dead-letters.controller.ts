import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ErrorCode, TasklogError } from '../common/errors';
import { DatabaseService } from '../projection/database.service';
import { DeadLetterListQuery } from './dead-letter.schemas';
import { parseInput } from './request.schemas';
import { DEFAULT_TENANT, Tenant } from './tenant';
import { TenantGuard } from './tenant.guard';

@Controller('v1/dead-letters')
@UseGuards(TenantGuard)
export class DeadLettersController {
  constructor(private readonly db: DatabaseService) {}

  /**
   * The tenant's dead letters, newest first. Letters that name no tenant (poison that never
   * got as far as one) are listed for tenant `default` only, until an admin view exists.
   */
  @Get()
  async list(@Query() query: unknown, @Tenant() tenantId: string) {
    const q = parseInput(DeadLetterListQuery, query, 'query');
    const queries = await this.db.deadLetterQueries().catch((e: Error) => {
      throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `the read model is unreachable: ${e.message}`);
    });
    return queries.list({
      tenantId,
      withUntenanted: tenantId === DEFAULT_TENANT,
      taskId: q.taskId,
      kind: q.kind,
      limit: q.limit,
      after: q.cursor,
    });
  }
}
