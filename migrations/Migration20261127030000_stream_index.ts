import { Migration } from '@mikro-orm/migrations';

/**
 * Live streams (SSE) read history by position: "partition p after offset o". The listener of
 * each API process does it once per projected batch, and a resuming client once per partition.
 */
export class Migration20261127030000_stream_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index if not exists "task_events_partition_offset_idx" on "task_events" ("partition", "offset");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "task_events_partition_offset_idx";`);
  }
}
