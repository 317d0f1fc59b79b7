import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { createPinoLogger, JsonLogger } from '../src/common/logger';
import { loadDevConfig } from '../src/config';
import { allTopics, KafkaClient, OrderedPublisher, topicsFor } from '../src/kafka';
import { createOrm, migrate, ProjectionStore, Projector } from '../src/projection';
import { rebuildProjection } from '../src/projection/rebuild/blue-green-rebuild';
import { quoteIdentifier } from '../src/projection/sql-identifier';
import { writeSyntheticEvents } from './synthetic-events';

/**
 * `node dist/bench/rebuild-speed.js [events]`: writes N events (4 per task) to a scratch prefix,
 * projects them with the live projector (timed), then times `tasklog projection verify` and a
 * switch over them. Prints records/s and the live projection's pause. Not part of the bench
 * suite; a one-off figure for the issue 9 note.
 */
async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 100_000);
  const config = loadDevConfig();
  const id = randomBytes(4).toString('hex');
  const prefix = `t.rebuildspeed_${id}`;
  const schema = `t_rebuildspeed_${id}`;
  const topics = topicsFor(prefix);
  const raw = new Kafka({ brokers: config.brokers, logLevel: logLevel.NOTHING });
  const admin = raw.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: allTopics(topics).map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
  });
  const logger = new JsonLogger(createPinoLogger('warn', pino.destination({ dest: 2, sync: true })));
  const kafka = new KafkaClient({ brokers: config.brokers, clientId: 'rebuild-speed', logger });
  const orm = await createOrm({ databaseUrl: config.databaseUrl, schema });
  try {
    const producer = raw.producer();
    await producer.connect();
    await writeSyntheticEvents(producer, topics.events, total);
    await producer.disconnect();
    await migrate(orm);

    const dlq = new OrderedPublisher(kafka, () => 1024 * 1024);
    const projector = new Projector(kafka, new ProjectionStore(orm), dlq, {
      groupId: `${prefix}.projector`,
      eventsTopic: topics.events,
      laneTopics: [],
      dlqTopic: topics.dlq,
      projection: 'tasks',
      logger,
    });
    const began = Date.now();
    await projector.start();
    const ends = await kafka.endOffsets(topics.events);
    const target = [...ends.values()].reduce((a, b) => a + b, 0);
    const knex = orm.em.getConnection().getKnex();
    for (;;) {
      const res = await knex.raw(`select coalesce(sum("offset"), 0) as n from projection_checkpoints where topic = ?`, [topics.events]);
      if (Number(res.rows[0].n) >= target) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const liveMs = Date.now() - began;
    await projector.stop();
    await dlq.close();

    const run = (mode: 'verify' | 'switch') =>
      rebuildProjection({ kafka, databaseUrl: config.databaseUrl, schema, topicPrefix: prefix, logger, mode });
    const verify = await run('verify');
    const rebuild = await run('switch');
    const line = (what: string, r: typeof verify) => ({
      what,
      records: r.records,
      seconds: +(r.ms / 1000).toFixed(1),
      recordsPerSecond: r.recordsPerSecond,
      pausedMs: r.pausedMs,
      equal: r.equal,
      switched: r.switched,
    });
    const rows = [
      {
        what: 'live projector',
        records: total,
        seconds: +(liveMs / 1000).toFixed(1),
        recordsPerSecond: Math.round(total / (liveMs / 1000)),
      },
      line('projection verify', verify),
      line('projection rebuild', rebuild),
    ];
    console.table(rows);
    if (rebuild.retiredSchema) await knex.raw(`drop schema if exists ${quoteIdentifier(rebuild.retiredSchema)} cascade`);
  } finally {
    await orm.em
      .getConnection()
      .getKnex()
      .raw(`drop schema if exists ${quoteIdentifier(schema)} cascade`)
      .catch(() => undefined);
    await orm.close();
    await admin.deleteTopics({ topics: allTopics(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}

void main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
