import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { TASKLOG_CONFIG, TasklogConfig } from '../config';
import { ApiKeyRing } from './api-key-ring';
import { resolveTenant } from './tenant';

@Injectable()
export class TenantGuard implements CanActivate {
  private readonly keys: ApiKeyRing;

  constructor(@Inject(TASKLOG_CONFIG) config: TasklogConfig) {
    this.keys = new ApiKeyRing(config.apiKeys);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request & { tenantId?: string }>();
    req.tenantId = resolveTenant(req, this.keys);
    return true;
  }
}
