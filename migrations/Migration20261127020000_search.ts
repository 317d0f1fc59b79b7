import { Migration } from '@mikro-orm/migrations';

/**
 * Search, stats and retention. Payload and label equality are jsonb containment served by GIN
 * (jsonb_path_ops: smaller and faster than the default opclass, and `@>` is all we ask of it).
 * The list pages by (created_at, id) or (finished_at, id) per tenant; the finished-time index
 * also serves the stats windows and the finished-time range filters. Retention walks finished
 * tasks by finish time across tenants. task_counts is the per-(tenant, type, status, priority)
 * tally the stats read instead of counting a million rows (filled here from the tasks already
 * projected; kept from then on by the projector and by deletions).
 */
export class Migration20261127020000_search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "tasks_payload_gin" on "tasks" using gin ("payload" jsonb_path_ops);`);
    this.addSql(`create index "tasks_labels_gin" on "tasks" using gin ("labels" jsonb_path_ops);`);
    this.addSql(`create index "tasks_tenant_created_idx" on "tasks" ("tenant_id", "created_at", "id");`);
    this.addSql(
      `create index "tasks_tenant_finished_idx" on "tasks" ("tenant_id", "finished_at", "id") include ("type", "status", "started_at", "attempt") where "finished_at" is not null;`,
    );
    this.addSql(
      `create index "tasks_retention_idx" on "tasks" ("finished_at") where "status" in ('completed', 'failed', 'cancelled', 'expired');`,
    );
    this.addSql(
      `create table "task_counts" ("tenant_id" text not null, "type" text not null, "status" text not null, "priority" smallint not null, "n" bigint not null, constraint "task_counts_pkey" primary key ("tenant_id", "type", "status", "priority"));`,
    );
    this.addSql(`insert into "task_counts" select "tenant_id", "type", "status", "priority", count(*) from "tasks" group by 1, 2, 3, 4;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "task_counts";`);
    for (const name of [
      'tasks_retention_idx',
      'tasks_tenant_finished_idx',
      'tasks_tenant_created_idx',
      'tasks_labels_gin',
      'tasks_payload_gin',
    ]) {
      this.addSql(`drop index if exists "${name}";`);
    }
  }
}
