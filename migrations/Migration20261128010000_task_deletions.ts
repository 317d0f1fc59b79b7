import { Migration } from '@mikro-orm/migrations';

/**
 * Tombstones of deleted tasks (DELETE /v1/tasks/:id and retention). The events stay in Kafka, so a
 * projection rebuilt from offset 0 would bring the tasks back: the rebuild deletes them again
 * from this list (`tasklog projection rebuild`, ADR 0015), and the projector never recreates a
 * deleted task from a late copy of its enqueue. `created_at` names the deleted incarnation (a task
 * enqueued again with the same idempotency key is a new one); `tx` is the deleting transaction,
 * so a rebuild can take exactly the tombstones of a snapshot. One small row per deleted task.
 */
export class Migration20261128010000_task_deletions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "task_deletions" ("id" uuid not null, "tenant_id" text not null, "created_at" timestamptz not null, "deleted_at" timestamptz not null default now(), "tx" xid8 not null default pg_current_xact_id(), constraint "task_deletions_pkey" primary key ("id"));`,
    );
    // With a finite events retention, the retention round drops tombstones by age.
    this.addSql(`create index "task_deletions_deleted_idx" on "task_deletions" ("deleted_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "task_deletions";`);
  }
}
