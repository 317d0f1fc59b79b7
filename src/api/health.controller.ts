import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { RolesService } from '../runtime/roles.service';

@Controller('health')
export class HealthController {
  constructor(private readonly roles: RolesService) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  ready() {
    if (!this.roles.readyNow) throw new ServiceUnavailableException('roles are still starting (waiting for Kafka or Postgres)');
    return { status: 'ready' };
  }
}
