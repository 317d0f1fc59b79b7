import { Migration } from '@mikro-orm/migrations';

/** A task whose event the projector had to dead-letter carries the reason, instead of a silent hole. */
export class Migration20261126000000_projection_error extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tasks" add column "projection_error" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tasks" drop column if exists "projection_error";`);
  }
}
