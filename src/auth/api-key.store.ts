import { MikroORM } from '@mikro-orm/postgresql';
import { uuidv7 } from '../common/ids';
import { newApiKey } from './api-key.secret';
import { ApiKeyRow } from './api-key.entity';
import { Scope } from './scope';

export type RevokeOutcome = 'revoked' | 'already-revoked' | 'not-found';

/** The `api_keys` table: the CLI writes it, the API guard reads it. */
export class ApiKeyStore {
  constructor(private readonly orm: MikroORM) {}

  /** Stores a new key and returns its row and the secret, which exists nowhere else afterwards. */
  async create(input: { tenantId: string; scope: Scope; name?: string }): Promise<{ row: ApiKeyRow; key: string }> {
    const { key, hash, prefix } = newApiKey();
    const em = this.orm.em.fork();
    const row = em.create(ApiKeyRow, {
      id: uuidv7(),
      tenantId: input.tenantId,
      scope: input.scope,
      keyHash: hash,
      prefix,
      name: input.name ?? null,
      createdAt: new Date(),
      revokedAt: null,
    });
    await em.flush();
    return { row, key };
  }

  async list(filter: { tenantId?: string } = {}): Promise<ApiKeyRow[]> {
    const where = filter.tenantId ? { tenantId: filter.tenantId } : {};
    return this.orm.em.fork().find(ApiKeyRow, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async revoke(id: string): Promise<RevokeOutcome> {
    const em = this.orm.em.fork();
    const row = await em.findOne(ApiKeyRow, { id });
    if (!row) return 'not-found';
    if (row.revokedAt) return 'already-revoked';
    row.revokedAt = new Date();
    await em.flush();
    return 'revoked';
  }

  /** The key with this SHA-256 digest, revoked or not; null when there is none. */
  async findByHash(hash: string): Promise<ApiKeyRow | null> {
    return this.orm.em.fork().findOne(ApiKeyRow, { keyHash: hash });
  }

  /** Whether any key was ever created (revoked ones count: revoking the last key must not open the API). */
  async anyKeys(): Promise<boolean> {
    return (await this.orm.em.fork().find(ApiKeyRow, {}, { fields: ['id'], limit: 1 })).length > 0;
  }
}
