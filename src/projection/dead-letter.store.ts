import { Knex } from '@mikro-orm/knex';
import { MikroORM } from '@mikro-orm/postgresql';
import { toStorableText } from '../common/storable';
import { JsonLogger } from '../common/logger';
import { isDatabaseUnavailable } from './database-errors';
import { DeadLetterRecord } from './dead-letter-record.mapper';

const COLUMNS = [
  'dlq_partition',
  'dlq_offset',
  'kind',
  'reason',
  'task_id',
  'tenant_id',
  'attempt',
  'source_topic',
  'source_partition',
  'source_offset',
  'failed_at',
  'truncated',
  'original_bytes',
  'value_json',
  'value_text',
] as const satisfies readonly (keyof DeadLetterRecord)[];

const INSERT = `insert into dead_letters (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${COLUMNS.map((c) =>
  c === 'value_json' ? '?::jsonb' : '?',
).join(', ')}) on conflict do nothing`;

/** Writes of the dead-letter table. */
export class DeadLetterStore {
  constructor(
    private readonly orm: MikroORM,
    private readonly logger: JsonLogger,
  ) {}

  private get knex(): Knex {
    return this.orm.em.getConnection().getKnex();
  }

  /**
   * Inserts the letter once (a replayed DLQ position or a second letter for the same exhausted
   * attempt inserts nothing). If Postgres refuses the row for any reason but being unreachable,
   * the letter is stored without its value and the refusal goes into its reason: the consumer
   * never stalls on one record (if even that is refused, it is skipped and logged). Only "Postgres is unreachable" is thrown, to be waited out.
   */
  async insert(record: DeadLetterRecord): Promise<void> {
    try {
      await this.knex.raw(
        INSERT,
        COLUMNS.map((c) => record[c]),
      );
    } catch (e) {
      if (isDatabaseUnavailable(e)) throw e;
      this.logger.write('warn', 'dead letter refused by Postgres; storing it without its value', {
        partition: record.dlq_partition,
        offset: record.dlq_offset,
        error: (e as Error).message,
      });
      const bare: DeadLetterRecord = {
        ...record,
        reason: toStorableText(`${record.reason} (stored without its value: ${(e as Error).message})`, 4000),
        value_json: null,
        value_text: '',
      };
      await this.knex
        .raw(
          INSERT,
          COLUMNS.map((c) => bare[c]),
        )
        .catch((again: unknown) => {
          if (isDatabaseUnavailable(again)) throw again;
          // Still refused: skip it rather than hold every later letter back; Kafka keeps the record.
          this.logger.write('error', 'dead letter not stored; it stays on the DLQ topic only', {
            partition: record.dlq_partition,
            offset: record.dlq_offset,
            error: (again as Error).message,
          });
        });
    }
  }
}
