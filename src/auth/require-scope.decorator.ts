import { SetMetadata } from '@nestjs/common';
import { Scope } from './scope';

export const REQUIRED_SCOPE = 'tasklog:required-scope';

/** The least scope a route's API key needs (read < write < admin); read by TenantGuard. */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);
