import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorCode, TasklogError } from '../common/errors';
import { DatabaseService } from '../projection/database.service';
import { DeadLetterListQuery } from './dead-letter.schemas';
import { DeadLetterListQueryDto } from './request.dtos';
import { parseInput } from './request.schemas';
import { TenantScoped } from './tenant-scoped.decorator';
import { DEFAULT_TENANT, Tenant } from './tenant';

@ApiTags('dead letters')
@Controller('v1/dead-letters')
@TenantScoped()
export class DeadLettersController {
  constructor(private readonly db: DatabaseService) {}

  /**
   * The tenant's dead letters, newest first. Letters that name no tenant (poison that never
   * got as far as one) are listed for tenant `default` only, until an admin view exists.
   */
  @Get()
  @RequireScope('admin')
  @ApiQuery({ type: DeadLetterListQueryDto })
  @ApiOkResponse({ description: "a page of the tenant's dead letters, newest first: { items, nextCursor }" })
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
