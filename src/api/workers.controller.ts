import { Controller, Get } from '@nestjs/common';
import { WorkerHeartbeat } from '../events';
import { Tenant } from './tenant';
import { TenantScoped } from './tenant-scoped.decorator';
import { RequireScope } from '../auth/require-scope.decorator';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { WorkerDirectory } from './worker-directory';

/** One worker process as `GET /v1/workers` shows it; `running` holds the caller's tenant's tasks only. */
function workerView(h: WorkerHeartbeat, tenantId: string) {
  return {
    id: h.workerId,
    host: h.host,
    pid: h.pid,
    roles: h.roles,
    startedAt: h.startedAt,
    lastHeartbeatAt: h.heartbeatAt,
    heartbeatIntervalMs: h.intervalMs,
    concurrency: h.concurrency,
    freeSlots: h.freeSlots,
    taskTypes: h.taskTypes,
    running: h.running
      .filter((t) => t.tenantId === tenantId)
      .map((t) => ({ taskId: t.taskId, taskType: t.taskType, attempt: t.attempt, startedAt: t.startedAt })),
  };
}

@Controller('v1/workers')
@ApiTags('workers')
@TenantScoped()
export class WorkersController {
  constructor(private readonly directory: WorkerDirectory) {}

  /** The live worker processes, from their heartbeats (a silent worker drops out after three intervals). */
  @Get()
  @RequireScope('read')
  @ApiOkResponse({ description: 'live worker processes from their heartbeats: { items }' })
  async list(@Tenant() tenantId: string) {
    return { items: (await this.directory.live()).map((h) => workerView(h, tenantId)) };
  }
}
