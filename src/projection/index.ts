// The Postgres read model: entities, migrations runner, the exactly-once projector and reads.
//   const orm = await createOrm({ databaseUrl, schema }); await migrate(orm);
export * from './entities';
export * from './orm.factory';
export * from './projection.store';
export * from './projector';
export * from './task.queries';
export * from './task-row.mapper';
export * from './database-errors';
export * from './dead-letter-record.mapper';
export * from './dead-letter.queries';
export * from './dead-letter.store';
export * from './dead-letter.consumer';
export * from './task-search';
export * from './task-stats.queries';
export * from './task-deletion';
