import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { loadDevConfig } from '../../src/config';
import { topicsFor } from '../../src/kafka/topics';
import { cleanup, startEngine } from '../support/engine';

async function retentionOf(topic: string): Promise<string | undefined> {
  const admin = new Kafka({ brokers: loadDevConfig().brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
    });
    return resources[0].configEntries.find((c) => c.configName === 'retention.ms')?.configValue;
  } finally {
    await admin.disconnect();
  }
}

describe('the events topic retention', () => {
  it.each([
    ['keeps the history forever by default', {}, '-1'],
    ['is what the config says when given', { eventsRetentionMs: 30 * 86_400_000 }, String(30 * 86_400_000)],
  ])('%s', async (_what, config, expected) => {
    const engine = await startEngine({ label: 'retention', config: { roles: ['api'], ...config } });
    try {
      const topics = topicsFor(engine.prefix);
      expect(await retentionOf(topics.events)).toBe(expected);
      // Only the events topic: commands, control and the DLQ keep the broker's default.
      expect(await retentionOf(topics.control)).not.toBe(expected);
    } finally {
      await engine.stop();
      await cleanup(engine.prefix, engine.schema);
    }
  });
});
