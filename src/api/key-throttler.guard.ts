import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions } from '@nestjs/throttler';
import { ErrorCode, TasklogError } from '../common/errors';
import { TasklogConfig } from '../config';
import { TenantRequest } from './tenant';

/** The one limit of the API: `rateLimit` requests per `rateLimitWindowMs` per key; 0 turns it off. */
export function throttlerOptions(config: TasklogConfig): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: 'default', limit: config.rateLimit, ttl: config.rateLimitWindowMs }],
    skipIf: () => config.rateLimit === 0,
  };
}

/**
 * @nestjs/throttler counting per API key (the client IP while the API is open), across all
 * routes: one budget per key, not one per route. Runs after TenantGuard, which names the key.
 * Over the limit: 429 problem+json with `Retry-After` (seconds).
 */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const keyId = (req as Pick<TenantRequest, 'principal'>).principal?.keyId;
    return keyId ?? `ip:${await super.getTracker(req)}`;
  }

  protected override generateKey(_ctx: ExecutionContext, tracker: string, throttler: string): string {
    return `${throttler}:${tracker}`;
  }

  protected override async throwThrottlingException(_ctx: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new TasklogError(
      ErrorCode.RATE_LIMITED,
      `rate limit reached: at most ${detail.limit} requests per ${detail.ttl} ms per API key; retry in ${detail.timeToBlockExpire} s`,
      { limit: detail.limit, windowMs: detail.ttl, retryAfterSeconds: detail.timeToBlockExpire },
    );
  }
}
