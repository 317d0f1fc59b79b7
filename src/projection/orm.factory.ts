import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { quoteIdentifier } from './sql-identifier';

export interface OrmOptions {
  databaseUrl: string;
  schema: string;
  poolMax?: number;
}

/**
 * One MikroORM instance per process. Every pooled connection gets the configured schema on
 * its search_path, so plain SQL and migrations need no schema prefix.
 */
export async function createOrm(options: OrmOptions): Promise<MikroORM> {
  const schema = options.schema;
  return MikroORM.init({
    clientUrl: options.databaseUrl,
    schema,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      silent: true,
      snapshot: false,
    },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      afterCreate: (
        conn: { query: (sql: string, cb: (err: Error | null) => void) => void },
        done: (err: Error | null, c: unknown) => void,
      ) => {
        conn.query(`set search_path to ${quoteIdentifier(schema)}`, (err) => done(err, conn));
      },
    },
    debug: false,
    allowGlobalContext: false,
    ensureDatabase: false,
  });
}

/** Creates the schema when missing and applies pending migrations. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const schema = orm.config.get('schema') ?? 'public';
  await orm.em.getConnection().execute(`create schema if not exists ${quoteIdentifier(schema)}`);
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
