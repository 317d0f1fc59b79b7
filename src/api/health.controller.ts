import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorCode, TasklogError } from '../common/errors';
import { RolesService } from '../runtime/roles.service';
import { ApiProblems } from './problem.schemas';
import { ReadinessService } from './readiness.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly roles: RolesService,
    private readonly readiness: ReadinessService,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'the process runs' })
  live() {
    return { status: 'ok' };
  }

  /** Ready once the roles started and while Kafka and Postgres answer now, not just at start. */
  @Get('ready')
  @ApiOkResponse({ description: 'Kafka and Postgres answer: { status, checks }' })
  @ApiProblems(503)
  async ready() {
    if (!this.roles.readyNow) throw new ServiceUnavailableException('roles are still starting (waiting for Kafka or Postgres)');
    const { ready, checks } = await this.readiness.check();
    if (!ready) {
      const down = Object.entries(checks)
        .filter(([, c]) => c.status !== 'up')
        .map(([name, c]) => `${name} (${c.message ?? 'down'})`);
      throw new TasklogError(ErrorCode.NOT_READY, `not ready: ${down.join('; ')}`, { checks });
    }
    return { status: 'ready', checks };
  }
}
