import { Migration } from '@mikro-orm/migrations';

/** Read model: tasks, history, projection checkpoints and cron schedules. */
export class Migration20261123000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "tasks" ("id" uuid not null, "tenant_id" text not null, "type" text not null, "status" text not null, "priority" smallint not null, "payload" jsonb null, "result" jsonb null, "error" jsonb null, "attempt" int not null, "max_attempts" int not null, "progress_processed" double precision null, "progress_total" double precision null, "progress_succeeded" double precision null, "progress_failed" double precision null, "progress_message" text null, "run_at" timestamptz null, "expires_at" timestamptz null, "idempotency_key" text null, "concurrency_key" text null, "labels" jsonb not null, "worker_id" text null, "created_at" timestamptz not null, "queued_at" timestamptz null, "started_at" timestamptz null, "finished_at" timestamptz null, "updated_at" timestamptz not null, "projected_at" timestamptz not null default now(), constraint "tasks_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "tasks_tenant_status_id_idx" on "tasks" ("tenant_id", "status", "id");`);
    this.addSql(`create index "tasks_tenant_type_id_idx" on "tasks" ("tenant_id", "type", "id");`);
    this.addSql(`create index "tasks_tenant_id_idx" on "tasks" ("tenant_id", "id");`);
    // The scheduler's due query: delayed and backing-off tasks by run time.
    this.addSql(`create index "tasks_due_idx" on "tasks" ("run_at") where "status" in ('scheduled', 'retrying');`);

    this.addSql(
      `create table "task_events" ("event_id" uuid not null, "task_id" uuid not null, "tenant_id" text not null, "type" text not null, "at" timestamptz not null, "attempt" int not null, "data" jsonb not null, "partition" int not null, "offset" bigint not null, constraint "task_events_pkey" primary key ("event_id"));`,
    );
    this.addSql(`create index "task_events_task_offset_idx" on "task_events" ("task_id", "offset");`);

    this.addSql(
      `create table "projection_checkpoints" ("projection" text not null, "topic" text not null, "partition" int not null, "offset" bigint not null, "updated_at" timestamptz not null, constraint "projection_checkpoints_pkey" primary key ("projection", "topic", "partition"));`,
    );

    this.addSql(
      `create table "schedules" ("id" uuid not null, "tenant_id" text not null, "name" text not null, "task_type" text not null, "cron" text not null, "timezone" text not null, "payload" jsonb null, "misfire" text not null, "paused" boolean not null, "last_fire_at" timestamptz null, "next_fire_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "schedules_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "schedules" add constraint "schedules_tenant_name_uq" unique ("tenant_id", "name");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "schedules";`);
    this.addSql(`drop table if exists "projection_checkpoints";`);
    this.addSql(`drop table if exists "task_events";`);
    this.addSql(`drop table if exists "tasks";`);
  }
}
