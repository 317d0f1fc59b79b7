import { Body, Controller, Get, Headers, Delete, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiNoContentResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../auth/require-scope.decorator';
import { TaskClientService } from '../client/task-client.service';
import { ErrorCode, TasklogError } from '../common/errors';
import { DatabaseService } from '../projection/database.service';
import { CancelBody, EnqueueBody, parseInput, PathText, RetryBody, TaskIdParam } from './request.schemas';
import { JsonBodyGuard } from './json-body.guard';
import { ApiProblems } from './problem.schemas';
import { CancelBodyDto, EnqueueBodyDto, RetryBodyDto } from './request.dtos';
import { ApiSearchQuery } from './search-query.openapi';
import { TaskDto, TaskListDto } from './response.schemas';
import { TenantScoped } from './tenant-scoped.decorator';
import { parseSearchQuery } from './task-search.query';
import { taskView } from './task.view';
import { Tenant } from './tenant';

@ApiTags('tasks')
@Controller('v1/tasks')
@TenantScoped()
export class TasksController {
  constructor(
    private readonly client: TaskClientService,
    private readonly db: DatabaseService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope('write')
  @UseGuards(JsonBodyGuard)
  @ApiBody({ type: EnqueueBodyDto })
  @ApiHeader({ name: 'idempotency-key', required: false, description: 'a repeated enqueue with the same key returns the same task' })
  @ApiHeader({
    name: 'traceparent',
    required: false,
    description: 'W3C trace context: travels on every event of the task; the handler runs in it',
  })
  @ApiAcceptedResponse({ type: TaskDto, description: 'the task, queued (or scheduled)' })
  @ApiProblems(409, 413, 415, 422)
  async enqueue(
    @Body() body: unknown,
    @Tenant() tenantId: string,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers('traceparent') traceparent?: string,
  ) {
    const { type, payload, ...options } = parseInput(EnqueueBody, body, 'task');
    const task = await this.client.enqueue(type, payload ?? null, {
      ...options,
      idempotencyKey: options.idempotencyKey ?? idempotencyKey,
      traceparent: options.traceparent ?? traceparent,
      tenantId,
    });
    return taskView(task);
  }

  /** Search: filters, sort and cursor as in api/task-search.query.ts. */
  @Get()
  @RequireScope('read')
  @ApiSearchQuery()
  @ApiOkResponse({ type: TaskListDto, description: 'a page of tasks, newest first' })
  async list(@Query() query: unknown, @Tenant() tenantId: string) {
    const { filter, page } = parseSearchQuery(query, tenantId);
    const found = await this.read((db) => db.search()).then((s) => s.list(filter, page));
    return { items: found.items.map(taskView), nextCursor: found.nextCursor };
  }

  @Get('count')
  @RequireScope('read')
  @ApiSearchQuery()
  @ApiOkResponse({ description: 'how many tasks match the same filters as the list: { count }' })
  async count(@Query() query: unknown, @Tenant() tenantId: string) {
    const { filter } = parseSearchQuery(query, tenantId);
    return { count: await this.read((db) => db.search()).then((s) => s.count(filter)) };
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOkResponse({ type: TaskDto })
  @ApiProblems(404)
  async get(@Param('id') id: string, @Tenant() tenantId: string) {
    const task = await (await this.queries()).get(tenantId, this.taskId(id));
    if (!task) throw notFound(id);
    return taskView(task);
  }

  @Get(':id/events')
  @RequireScope('read')
  @ApiOkResponse({ description: "the task's events, oldest first: { items }" })
  @ApiProblems(404)
  async events(@Param('id') id: string, @Tenant() tenantId: string) {
    const queries = await this.queries();
    const items = await queries.history(tenantId, this.taskId(id));
    if (items.length === 0 && !(await queries.get(tenantId, id))) throw notFound(id);
    return { items };
  }

  /** Re-opens a failed, cancelled or expired task (409 otherwise) with a fresh attempt budget. */
  @Post(':id/retry')
  @HttpCode(202)
  @RequireScope('write')
  @UseGuards(JsonBodyGuard)
  @ApiBody({ type: RetryBodyDto, required: false })
  @ApiHeader({
    name: 'traceparent',
    required: false,
    description: "W3C trace context of the retried runs and their events (a retry does not continue the enqueue's trace)",
  })
  @ApiAcceptedResponse({ type: TaskDto, description: 'the task, re-opened' })
  @ApiProblems(404, 409, 415)
  async retry(@Param('id') id: string, @Body() body: unknown, @Tenant() tenantId: string, @Headers('traceparent') traceparent?: string) {
    const { maxAttempts } = parseInput(RetryBody, body ?? {}, 'retry');
    const task = await this.client.retry(tenantId, this.taskId(id), {
      requestedBy: `tenant:${tenantId}`,
      attempts: maxAttempts,
      traceparent,
    });
    return taskView(task);
  }

  /**
   * Cancels an unfinished task: one not started never starts, a running one's `ctx.signal`
   * aborts on its worker. 202 (also when repeated), 409 for a finished task.
   */
  @Post(':id/cancel')
  @HttpCode(202)
  @RequireScope('write')
  @UseGuards(JsonBodyGuard)
  @ApiBody({ type: CancelBodyDto, required: false })
  @ApiAcceptedResponse({ type: TaskDto, description: 'the task; a running one stops when its worker aborts it' })
  @ApiProblems(404, 409, 415)
  async cancel(@Param('id') id: string, @Body() body: unknown, @Tenant() tenantId: string) {
    const { reason } = parseInput(CancelBody, body ?? {}, 'cancel');
    return taskView(await this.client.cancel(tenantId, this.taskId(id), { reason, requestedBy: `tenant:${tenantId}` }));
  }

  /** Deletes a finished task's row and history (its events stay in Kafka): 204, 409 while unfinished. */
  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiNoContentResponse({ description: "deleted: the task's row and history (its events stay in Kafka)" })
  @ApiProblems(404, 409)
  async remove(@Param('id') id: string, @Tenant() tenantId: string): Promise<void> {
    const taskId = this.taskId(id);
    const outcome = await this.read((db) => db.deletion()).then((d) => d.deleteFinished(tenantId, taskId));
    if (outcome === 'absent') throw notFound(id);
    if (outcome === 'unfinished') throw new TasklogError(ErrorCode.TASK_STATE_CONFLICT, `task ${id} has not finished`, { taskId: id });
  }

  private taskId(id: string): string {
    parseInput(PathText, id, 'id');
    if (!TaskIdParam.safeParse(id).success) throw notFound(id);
    return id;
  }

  private queries() {
    return this.read((db) => db.queries());
  }

  private async read<T>(open: (db: DatabaseService) => Promise<T>): Promise<T> {
    try {
      return await open(this.db);
    } catch (e) {
      throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `the read model is unreachable: ${(e as Error).message}`);
    }
  }
}

function notFound(id: string): TasklogError {
  return new TasklogError(ErrorCode.TASK_NOT_FOUND, `no task ${id}`, { taskId: id });
}
