import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { KeyThrottlerGuard } from './key-throttler.guard';
import { ApiProblems } from './problem.schemas';
import { TenantGuard } from './tenant.guard';

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';

/**
 * A controller whose routes act for the tenant of the request's API key: TenantGuard (401/403),
 * then the per-key rate limit (429), and the same in the OpenAPI document.
 */
export function TenantScoped(): ClassDecorator {
  return applyDecorators(
    UseGuards(TenantGuard, KeyThrottlerGuard),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiProblems(400, 401, 403, 429, 503),
  );
}
