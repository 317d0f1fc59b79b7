import { Migration } from '@mikro-orm/migrations';

/**
 * Cancel and expiry: when a cancel was requested (a running task shows it until its worker
 * stops), and the index of the scheduler's expiry sweep (tasks not started, by deadline).
 */
export class Migration20261126020000_cancel extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tasks" add column "cancel_requested_at" timestamptz null;`);
    this.addSql(
      `create index "tasks_expiry_idx" on "tasks" ("expires_at") where "status" in ('scheduled', 'queued', 'retrying') and "expires_at" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "tasks_expiry_idx";`);
    this.addSql(`alter table "tasks" drop column if exists "cancel_requested_at";`);
  }
}
