import { EntitySchema } from '@mikro-orm/core';

/** A stored API key: only its SHA-256 is kept; `prefix` (its first characters) names it in lists. */
export class ApiKeyRow {
  id!: string;
  tenantId!: string;
  scope!: string;
  keyHash!: string;
  prefix!: string;
  name?: string | null;
  createdAt!: Date;
  revokedAt?: Date | null;
}

export const ApiKeySchema = new EntitySchema<ApiKeyRow>({
  class: ApiKeyRow,
  tableName: 'api_keys',
  indexes: [{ name: 'api_keys_tenant_idx', properties: ['tenantId', 'createdAt'] }],
  uniques: [{ name: 'api_keys_key_hash_uq', properties: ['keyHash'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'text' },
    scope: { type: 'text' },
    keyHash: { type: 'text' },
    prefix: { type: 'text' },
    name: { type: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    revokedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
