import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { resolveTenant } from './tenant';

@Injectable()
export class TenantGuard implements CanActivate {
  constructor(@Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request & { tenantId?: string }>();
    req.tenantId = resolveTenant(req, this.config.apiKeys);
    return true;
  }
}
