import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { Response } from 'express';
import { z } from 'zod';
import { ErrorCode, TasklogError } from '../common/errors';
import { StreamService } from '../stream/stream.service';
import { ListQuery, parseInput, PathText, TaskIdParam } from './request.schemas';
import { Tenant } from './tenant';
import { TenantScoped } from './tenant-scoped.decorator';
import { RequireScope } from '../auth/require-scope.decorator';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

const StreamQuery = z.object({ status: ListQuery.shape.status, type: ListQuery.shape.type });

/**
 * Live updates as server-sent events. Each event's id is the stream position; a client that
 * reconnects with it in `Last-Event-ID` (EventSource does) gets exactly what it missed.
 * A plain express response rather than @Sse: it lets the stream wait for a slow socket, send
 * keep-alive comments and answer 204 to a finished task.
 */
@Controller('v1')
@ApiTags('live')
@TenantScoped()
export class StreamController {
  constructor(private readonly streams: StreamService) {}

  @Get('tasks/:id/stream')
  @RequireScope('read')
  @ApiOkResponse({ description: "text/event-stream: the task's history, then its changes until it ends (Last-Event-ID resumes)" })
  async task(
    @Param('id') id: string,
    @Tenant() tenantId: string,
    @Res() res: Response,
    @Headers('last-event-id') lastEventId?: string,
  ): Promise<void> {
    parseInput(PathText, id, 'id');
    if (!TaskIdParam.safeParse(id).success) throw new TasklogError(ErrorCode.TASK_NOT_FOUND, `no task ${id}`, { taskId: id });
    await this.streams.task(res, tenantId, id, lastEventId);
  }

  @Get('stream')
  @RequireScope('read')
  @ApiOkResponse({ description: "text/event-stream: the tenant's task changes from now (Last-Event-ID resumes)" })
  async all(
    @Query() query: unknown,
    @Tenant() tenantId: string,
    @Res() res: Response,
    @Headers('last-event-id') lastEventId?: string,
  ): Promise<void> {
    const q = parseInput(StreamQuery, query, 'query');
    await this.streams.all(res, { tenantId, types: q.type, statuses: q.status }, lastEventId);
  }
}
