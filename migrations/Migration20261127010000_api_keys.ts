import { Migration } from '@mikro-orm/migrations';

/** API keys, stored as SHA-256 digests; managed with `tasklog api-key create|list|revoke`. */
export class Migration20261127010000_api_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_keys" ("id" uuid not null, "tenant_id" text not null, "scope" text not null, "key_hash" text not null, "prefix" text not null, "name" text null, "created_at" timestamptz not null default now(), "revoked_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"), constraint "api_keys_scope_check" check ("scope" in ('read', 'write', 'admin')));`,
    );
    // Every authenticated request looks its key up by digest.
    this.addSql(`create unique index "api_keys_key_hash_uq" on "api_keys" ("key_hash");`);
    this.addSql(`create index "api_keys_tenant_idx" on "api_keys" ("tenant_id", "created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "api_keys";`);
  }
}
