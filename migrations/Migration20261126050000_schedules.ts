import { Migration } from '@mikro-orm/migrations';

/**
 * Schedules as the scheduler runs them: misfire grace and catch-up, overlap, the task's
 * options, where the schedule came from (code or REST) and the last fire's task. The unused
 * free-text `misfire` column of the first migration gives way to typed columns.
 */
export class Migration20261126050000_schedules extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "schedules" drop column if exists "misfire";`);
    this.addSql(
      `alter table "schedules" add column "grace_ms" int not null default 60000, add column "catch_up" text not null default 'one', add column "overlap" text not null default 'allow', add column "task_options" jsonb not null default '{}', add column "source" text not null default 'api', add column "last_task_id" uuid null;`,
    );
    // The leader's due query: active schedules by next fire time.
    this.addSql(`create index "schedules_due_idx" on "schedules" ("next_fire_at") where not "paused";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "schedules_due_idx";`);
    this.addSql(
      `alter table "schedules" drop column "grace_ms", drop column "catch_up", drop column "overlap", drop column "task_options", drop column "source", drop column "last_task_id";`,
    );
    this.addSql(`alter table "schedules" add column "misfire" text not null default 'one';`);
  }
}
