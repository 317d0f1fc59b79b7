import { Command } from 'commander';
import { JsonLogger } from '../../common/logger';
import { loadDevConfig } from '../../config';
import { createOrm, migrate } from '../../projection/orm.factory';

/** `tasklog migrate`: applies pending migrations to DATABASE_URL / TASKLOG_DB_SCHEMA. */
export function migrateCommand(): Command {
  return new Command('migrate').description('apply pending database migrations').action(async () => {
    const config = loadDevConfig();
    const log = new JsonLogger(config.logLevel, { service: 'tasklog-migrate' });
    const orm = await createOrm({ databaseUrl: config.databaseUrl, schema: config.dbSchema, poolMax: 1 });
    try {
      const applied = await migrate(orm);
      log.write('info', applied.length ? 'migrations applied' : 'schema up to date', { applied, schema: config.dbSchema });
    } finally {
      await orm.close();
    }
  });
}
