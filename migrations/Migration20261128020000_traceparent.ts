import { Migration } from '@mikro-orm/migrations';

/**
 * The W3C traceparent a task's scheduled runs continue (delayed start, automatic retries): that
 * of its enqueue, or of its latest manual retry (ADR 0013, traces through the scheduler).
 */
export class Migration20261128020000_traceparent extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tasks" add column "traceparent" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tasks" drop column if exists "traceparent";`);
  }
}
