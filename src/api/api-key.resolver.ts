import { Inject, Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { hashApiKey } from '../auth/api-key.secret';
import { ApiKeyStore } from '../auth/api-key.store';
import { DEFAULT_TENANT, Principal } from '../auth/principal';
import { isScope, Scope } from '../auth/scope';
import { TtlCache } from '../auth/ttl-cache';
import { withDeadline } from '../common/deadline';
import { ErrorCode, TasklogError } from '../common/errors';
import { JsonLogger } from '../common/logger';
import { TASKLOG_CONFIG, TASKLOG_MOUNTS, TasklogConfig } from '../config';
import { DatabaseService } from '../projection/database.service';
import { ApiKeyRing } from './api-key-ring';

/** How long a stored key's lookup is trusted: a revoke takes effect within this. */
export const KEY_CACHE_MS = 2000;
const LOOKUP_DEADLINE_MS = 1500;

/**
 * Maps a presented API key to who it acts as: TASKLOG_API_KEYS first (no I/O), then the
 * `api_keys` table by SHA-256, each answer cached for KEY_CACHE_MS. While no key exists at all
 * (none configured, none ever stored) the API is open and every request acts as tenant
 * `default` with admin scope. When Postgres does not answer, the last answer (however old)
 * stands; with none, the request gets 503.
 */
@Injectable()
export class ApiKeyResolver implements OnApplicationBootstrap {
  private readonly ring: ApiKeyRing;
  private readonly byHash = new TtlCache<Principal | null>(KEY_CACHE_MS);
  private readonly anyStored = new TtlCache<boolean>(KEY_CACHE_MS, 1);
  private announcedOpen: boolean | null = null;

  constructor(
    @Inject(TASKLOG_CONFIG) private readonly config: TasklogConfig,
    private readonly db: DatabaseService,
    private readonly logger: JsonLogger,
    @Optional() @Inject(TASKLOG_MOUNTS) private readonly mounts?: { http?: boolean },
  ) {
    this.ring = new ApiKeyRing(config.apiKeys);
  }

  /** Says at startup whether the API is open (once the database answers). */
  onApplicationBootstrap(): void {
    if (this.mounts?.http === false || !this.ring.isEmpty || !this.config.roles.includes('api')) return;
    this.isOpen().catch(() => undefined);
  }

  /** Who `key` acts as; throws 401 for a missing, unknown or revoked key unless the API is open. */
  async resolve(key: string | undefined): Promise<Principal> {
    if (key) {
      const found = this.ring.find(key) ?? (await this.lookup(hashApiKey(key)));
      if (found) return found;
    }
    if (this.ring.isEmpty && (await this.isOpen())) return { tenantId: DEFAULT_TENANT, scope: Scope.ADMIN, keyId: null };
    throw new TasklogError(
      ErrorCode.API_KEY_INVALID,
      key ? 'the API key is unknown or revoked' : 'an API key is required (Authorization: Bearer <key> or x-api-key)',
    );
  }

  private async lookup(hash: string): Promise<Principal | null> {
    const cached = this.byHash.fresh(hash);
    if (cached !== undefined) return cached;
    const found = await this.ask(
      async (store) => {
        const row = await store.findByHash(hash);
        return row && !row.revokedAt && isScope(row.scope) ? { tenantId: row.tenantId, scope: row.scope, keyId: `db:${row.id}` } : null;
      },
      () => this.byHash.stale(hash),
    );
    this.byHash.set(hash, found);
    return found;
  }

  private async isOpen(): Promise<boolean> {
    let any = this.anyStored.fresh('any');
    if (any === undefined) {
      any = await this.ask(
        (store) => store.anyKeys(),
        () => this.anyStored.stale('any'),
      );
      this.anyStored.set('any', any);
    }
    this.announce(!any);
    return !any;
  }

  /** Asks the table (the query within a deadline); on failure falls back to the last answer, else 503. */
  private async ask<T>(query: (store: ApiKeyStore) => Promise<T>, fallback: () => T | undefined): Promise<T> {
    try {
      // The first get() may apply migrations, which can take longer than a lookup should.
      const orm = await this.db.get();
      return await withDeadline(query(new ApiKeyStore(orm)), LOOKUP_DEADLINE_MS, 'Postgres');
    } catch (e) {
      const last = fallback();
      if (last !== undefined) return last;
      throw new TasklogError(ErrorCode.DATABASE_UNAVAILABLE, `API keys cannot be checked: ${(e as Error).message}`);
    }
  }

  private announce(open: boolean): void {
    if (open === this.announcedOpen) return;
    if (open) {
      this.logger.write(
        'warn',
        'no API keys exist: the API is open and every request acts as tenant default (create one: tasklog api-key create)',
      );
    } else if (this.announcedOpen !== null) {
      this.logger.write('info', 'API keys exist now: every request needs one');
    }
    this.announcedOpen = open;
  }
}
