import { Migration } from '@mikro-orm/migrations';

/** What the scheduler needs to dispatch a delayed task or a retry without reading history. */
export class Migration20261126010000_task_run_options extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tasks" add column "backoff" jsonb null, add column "timeout_ms" int null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tasks" drop column if exists "backoff", drop column if exists "timeout_ms";`);
  }
}
