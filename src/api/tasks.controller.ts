import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { TaskClientService } from '../client/task-client.service';
import { ErrorCode, TasklogError } from '../common/errors';
import { DatabaseService } from '../projection/database.service';
import { CancelBody, EnqueueBody, parseInput, PathText, RetryBody, TaskIdParam } from './request.schemas';
import { JsonBodyGuard } from './json-body.guard';
import { parseSearchQuery } from './task-search.query';
import { taskView } from './task.view';
import { Tenant } from './tenant';
import { TenantGuard } from './tenant.guard';

@Controller('v1/tasks')
@UseGuards(TenantGuard)
export class TasksController {
  constructor(
    private readonly client: TaskClientService,
    private readonly db: DatabaseService,
  ) {}

  @Post()
  @HttpCode(202)
  @UseGuards(JsonBodyGuard)
  async enqueue(@Body() body: unknown, @Tenant() tenantId: string, @Headers('idempotency-key') idempotencyKey?: string) {
    const { type, payload, ...options } = parseInput(EnqueueBody, body, 'task');
    const task = await this.client.enqueue(type, payload ?? null, {
      ...options,
      idempotencyKey: options.idempotencyKey ?? idempotencyKey,
      tenantId,
    });
    return taskView(task);
  }

  /** Search: filters, sort and cursor as in api/task-search.query.ts. */
  @Get()
  async list(@Query() query: unknown, @Tenant() tenantId: string) {
    const { filter, page } = parseSearchQuery(query, tenantId);
    const found = await this.read((db) => db.search()).then((s) => s.list(filter, page));
    return { items: found.items.map(taskView), nextCursor: found.nextCursor };
  }

  @Get('count')
  async count(@Query() query: unknown, @Tenant() tenantId: string) {
    const { filter } = parseSearchQuery(query, tenantId);
    return { count: await this.read((db) => db.search()).then((s) => s.count(filter)) };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Tenant() tenantId: string) {
    const task = await (await this.queries()).get(tenantId, this.taskId(id));
    if (!task) throw notFound(id);
    return taskView(task);
  }

  @Get(':id/events')
  async events(@Param('id') id: string, @Tenant() tenantId: string) {
    const queries = await this.queries();
    const items = await queries.history(tenantId, this.taskId(id));
    if (items.length === 0 && !(await queries.get(tenantId, id))) throw notFound(id);
    return { items };
  }

  /** Re-opens a failed, cancelled or expired task (409 otherwise) with a fresh attempt budget. */
  @Post(':id/retry')
  @HttpCode(202)
  @UseGuards(JsonBodyGuard)
  async retry(@Param('id') id: string, @Body() body: unknown, @Tenant() tenantId: string) {
    const { maxAttempts } = parseInput(RetryBody, body ?? {}, 'retry');
    return taskView(await this.client.retry(tenantId, this.taskId(id), { requestedBy: `tenant:${tenantId}`, attempts: maxAttempts }));
  }

  /**
   * Cancels an unfinished task: one not started never starts, a running one's `ctx.signal`
   * aborts on its worker. 202 (also when repeated), 409 for a finished task.
   */
  @Post(':id/cancel')
  @HttpCode(202)
  @UseGuards(JsonBodyGuard)
  async cancel(@Param('id') id: string, @Body() body: unknown, @Tenant() tenantId: string) {
    const { reason } = parseInput(CancelBody, body ?? {}, 'cancel');
    return taskView(await this.client.cancel(tenantId, this.taskId(id), { reason, requestedBy: `tenant:${tenantId}` }));
  }

  /** Deletes a finished task's row and history (its events stay in Kafka): 204, 409 while unfinished. */
  @Delete(':id')
  @HttpCode(204)
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
