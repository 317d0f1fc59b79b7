import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorCode, TasklogError } from '../common/errors';
import { ScheduleService } from '../scheduler/schedules/schedule.service';
import { JsonBodyGuard } from './json-body.guard';
import { ApiProblems } from './problem.schemas';
import { BackfillBodyDto, ScheduleBodyDto } from './request.dtos';
import { parseInput, PathText } from './request.schemas';
import { BackfillBody } from './schedule.schemas';
import { TenantScoped } from './tenant-scoped.decorator';
import { scheduleView } from './schedule.view';
import { Tenant } from './tenant';

/** Recurring schedules of the caller's tenant; another tenant's schedule answers 404. */
@ApiTags('schedules')
@Controller('v1/schedules')
@TenantScoped()
export class SchedulesController {
  constructor(private readonly schedules: ScheduleService) {}

  /** 201 with the schedule; the same name again replaces its definition. 422 naming a bad cron, zone or task type. */
  @Post()
  @RequireScope('admin')
  @UseGuards(JsonBodyGuard)
  @ApiBody({ type: ScheduleBodyDto })
  @ApiCreatedResponse({ description: 'the schedule, with its next run' })
  @ApiProblems(415, 422)
  async create(@Body() body: unknown, @Tenant() tenantId: string) {
    return scheduleView(await this.schedules.create(tenantId, body));
  }

  @Get()
  @RequireScope('read')
  @ApiOkResponse({ description: "the tenant's schedules: { items, nextCursor }" })
  async list(@Tenant() tenantId: string) {
    return { items: (await this.schedules.list(tenantId)).map(scheduleView), nextCursor: null };
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOkResponse({ description: 'the schedule' })
  @ApiProblems(404)
  async get(@Param('id') id: string, @Tenant() tenantId: string) {
    return scheduleView(await this.schedules.get(tenantId, this.id(id)));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOkResponse({ description: 'the schedule, paused' })
  @ApiProblems(404)
  async pause(@Param('id') id: string, @Tenant() tenantId: string) {
    return scheduleView(await this.schedules.setPaused(tenantId, this.id(id), true));
  }

  /** Resumes from now: fires missed while paused are not a backlog. */
  @Post(':id/resume')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOkResponse({ description: 'the schedule, resumed' })
  @ApiProblems(404)
  async resume(@Param('id') id: string, @Tenant() tenantId: string) {
    return scheduleView(await this.schedules.setPaused(tenantId, this.id(id), false));
  }

  @Post(':id/trigger')
  @HttpCode(202)
  @RequireScope('admin')
  @ApiAcceptedResponse({ description: 'the task of this fire' })
  @ApiProblems(404, 409)
  trigger(@Param('id') id: string, @Tenant() tenantId: string) {
    return this.schedules.trigger(tenantId, this.id(id));
  }

  /** Enqueues the fires in [from, to] (at most 500; `truncated` says when more were left out). */
  @Post(':id/backfill')
  @HttpCode(202)
  @RequireScope('admin')
  @UseGuards(JsonBodyGuard)
  @ApiBody({ type: BackfillBodyDto })
  @ApiAcceptedResponse({ description: '{ enqueued, truncated, ... }' })
  @ApiProblems(404, 415)
  async backfill(@Param('id') id: string, @Body() body: unknown, @Tenant() tenantId: string) {
    const { from, to } = parseInput(BackfillBody, body, 'backfill');
    return this.schedules.backfill(tenantId, this.id(id), Date.parse(from), Date.parse(to));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScope('admin')
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiProblems(404)
  async delete(@Param('id') id: string, @Tenant() tenantId: string): Promise<void> {
    await this.schedules.delete(tenantId, this.id(id));
  }

  private id(id: string): string {
    parseInput(PathText, id, 'id');
    if (!z.uuid().safeParse(id).success) throw new TasklogError(ErrorCode.SCHEDULE_NOT_FOUND, `no schedule ${id}`, { scheduleId: id });
    return id;
  }
}
