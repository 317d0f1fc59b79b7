import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ErrorCode, TasklogError } from '../common/errors';
import { ScheduleService } from '../scheduler/schedules/schedule.service';
import { JsonBodyGuard } from './json-body.guard';
import { parseInput, PathText } from './request.schemas';
import { scheduleView } from './schedule.view';
import { Tenant } from './tenant';
import { TenantGuard } from './tenant.guard';

const BackfillBody = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .strict()
  .refine((b) => Date.parse(b.from) <= Date.parse(b.to), 'from must not be after to');

/** Recurring schedules of the caller's tenant; another tenant's schedule answers 404. */
@Controller('v1/schedules')
@UseGuards(TenantGuard)
export class SchedulesController {
  constructor(private readonly schedules: ScheduleService) {}

  /** 201 with the schedule; the same name again replaces its definition. 422 naming a bad cron, zone or task type. */
  @Post()
  @UseGuards(JsonBodyGuard)
  async create(@Body() body: unknown, @Tenant() tenantId: string) {
    return scheduleView(await this.schedules.create(tenantId, body));
  }

  @Get()
  async list(@Tenant() tenantId: string) {
    return { items: (await this.schedules.list(tenantId)).map(scheduleView), nextCursor: null };
  }

  @Get(':id')
  async get(@Param('id') id: string, @Tenant() tenantId: string) {
    return scheduleView(await this.schedules.get(tenantId, this.id(id)));
  }

  @Post(':id/pause')
  @HttpCode(200)
  async pause(@Param('id') id: string, @Tenant() tenantId: string) {
    return scheduleView(await this.schedules.setPaused(tenantId, this.id(id), true));
  }

  /** Resumes from now: fires missed while paused are not a backlog. */
  @Post(':id/resume')
  @HttpCode(200)
  async resume(@Param('id') id: string, @Tenant() tenantId: string) {
    return scheduleView(await this.schedules.setPaused(tenantId, this.id(id), false));
  }

  @Post(':id/trigger')
  @HttpCode(202)
  trigger(@Param('id') id: string, @Tenant() tenantId: string) {
    return this.schedules.trigger(tenantId, this.id(id));
  }

  /** Enqueues the fires in [from, to] (at most 500; `truncated` says when more were left out). */
  @Post(':id/backfill')
  @HttpCode(202)
  @UseGuards(JsonBodyGuard)
  async backfill(@Param('id') id: string, @Body() body: unknown, @Tenant() tenantId: string) {
    const { from, to } = parseInput(BackfillBody, body, 'backfill');
    return this.schedules.backfill(tenantId, this.id(id), Date.parse(from), Date.parse(to));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string, @Tenant() tenantId: string): Promise<void> {
    await this.schedules.delete(tenantId, this.id(id));
  }

  private id(id: string): string {
    parseInput(PathText, id, 'id');
    if (!z.uuid().safeParse(id).success) throw new TasklogError(ErrorCode.SCHEDULE_NOT_FOUND, `no schedule ${id}`, { scheduleId: id });
    return id;
  }
}
