import { Migration } from '@mikro-orm/migrations';

/** The DLQ topic as a table, for GET /v1/dead-letters; filled by the projector role. */
export class Migration20261126030000_dead_letters extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "dead_letters" ("dlq_partition" int not null, "dlq_offset" bigint not null, "kind" text not null, "reason" text not null, "task_id" uuid null, "tenant_id" text null, "attempt" int null, "source_topic" text null, "source_partition" int null, "source_offset" bigint null, "failed_at" timestamptz not null, "truncated" boolean not null, "original_bytes" int not null, "value_json" jsonb null, "value_text" text null, "stored_at" timestamptz not null default now(), constraint "dead_letters_pkey" primary key ("dlq_partition", "dlq_offset"));`,
    );
    // The list: one tenant's letters, newest first, keyset-paginated on (failed_at, partition, offset).
    this.addSql(
      `create index "dead_letters_tenant_failed_idx" on "dead_letters" ("tenant_id", "failed_at", "dlq_partition", "dlq_offset");`,
    );
    this.addSql(`create index "dead_letters_task_idx" on "dead_letters" ("task_id");`);
    this.addSql(
      `create unique index "dead_letters_exhausted_attempt_uq" on "dead_letters" ("task_id", "attempt") where "kind" = 'task-exhausted';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "dead_letters";`);
  }
}
