import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { createPinoLogger, JsonLogger } from '../src/common/logger';
import { loadDevConfig } from '../src/config';
import { exportEvents } from '../src/export';
import { KafkaClient } from '../src/kafka';
import { writeSyntheticEvents } from './synthetic-events';

/**
 * `node dist/bench/export-speed.js [events]`: writes N events (4 per task: enqueued, queued,
 * started, completed) straight to a scratch topic, times `exportEvents` over them into a sink,
 * prints events/s, and deletes the topic. Not part of the bench suite; a one-off figure.
 */
async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 100_000);
  const config = loadDevConfig();
  const topic = `t.exportspeed_${randomBytes(4).toString('hex')}.events`;
  const kafka = new Kafka({ brokers: config.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
  try {
    const producer = kafka.producer();
    await producer.connect();
    const fromMs = Date.now();
    await writeSyntheticEvents(producer, topic, total);
    await producer.disconnect();
    const toMs = Date.now();

    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done();
      },
    });
    const client = new KafkaClient({
      brokers: config.brokers,
      clientId: 'export-speed',
      logger: new JsonLogger(createPinoLogger('warn', pino.destination({ dest: 2, sync: true }))),
    });
    const stats = await exportEvents(client, { eventsTopic: topic, fromMs, toMs, format: 'jsonl', out: sink });
    const eventsPerSecond = Math.round(stats.events / (stats.ms / 1000));
    process.stdout.write(JSON.stringify({ msg: 'export speed', written: total, ...stats, bytes, eventsPerSecond }) + '\n');
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

void main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
