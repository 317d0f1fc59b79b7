import { EntitySchema } from '@mikro-orm/core';

/** The next offset a projection will apply, per partition; moves in the same transaction as the rows. */
export class CheckpointRow {
  projection!: string;
  topic!: string;
  partition!: number;
  offset!: string;
  updatedAt!: Date;
}

export const CheckpointSchema = new EntitySchema<CheckpointRow>({
  class: CheckpointRow,
  tableName: 'projection_checkpoints',
  properties: {
    projection: { type: 'text', primary: true },
    topic: { type: 'text', primary: true },
    partition: { type: 'integer', primary: true },
    offset: { type: 'bigint' },
    updatedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
