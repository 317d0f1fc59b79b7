import { Migration } from '@mikro-orm/migrations';

/** Whether the current attempt was started again after its worker died. */
export class Migration20261126040000_redelivered extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tasks" add column "redelivered" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tasks" drop column if exists "redelivered";`);
  }
}
