import { JsonLogger } from '../common/logger';
import { loadDevConfig } from '../config';
import { createOrm, migrate } from '../projection/orm.factory';

/** `npm run migrate`: applies pending migrations to DATABASE_URL / TASKLOG_DB_SCHEMA. */
async function main(): Promise<void> {
  const config = loadDevConfig();
  const log = new JsonLogger(config.logLevel, { service: 'tasklog-migrate' });
  const orm = await createOrm({ databaseUrl: config.databaseUrl, schema: config.dbSchema, poolMax: 1 });
  try {
    const applied = await migrate(orm);
    log.write('info', applied.length ? 'migrations applied' : 'schema up to date', { applied, schema: config.dbSchema });
  } finally {
    await orm.close();
  }
}

main().catch((e: Error) => {
  process.stderr.write(JSON.stringify({ level: 'error', msg: 'migration failed', error: e.message }) + '\n');
  process.exit(1);
});
