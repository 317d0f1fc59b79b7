import { ASSIGNER_NAME } from './co-partitioned.assigner';
import {
  AssignerProtocol,
  Admin,
  ConfigResourceTypes,
  Consumer,
  ConsumerConfig,
  IHeaders,
  Kafka,
  KafkaConfig,
  logLevel,
  Producer,
  ProducerConfig,
} from 'kafkajs';
import { withDeadline } from '../common/deadline';
import { JsonLogger } from '../common/logger';
import { InMessage } from './kafka.types';

/** A topic created unlike the rest: its own partition count, extra topic configs. */
export interface TopicOverride {
  partitions?: number;
  config?: Record<string, string>;
  /** Its records are small and ours (heartbeats, replies): its max.message.bytes does not bound payloads. */
  smallRecords?: boolean;
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: JsonLogger;
}

const LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Connection settings of every engine client; the bench's raw ceiling reuses them. */
export const KAFKA_CLIENT_SETTINGS = {
  connectionTimeout: 3000,
  requestTimeout: 30000,
  retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 3000 },
  logLevel: logLevel.WARN,
} as const;

/** The adapter: the only file that constructs kafkajs objects (besides the bench's raw ceiling). */
export class KafkaClient {
  private readonly kafka: Kafka;
  /** For ping only: no retries, so a probe fails fast instead of retrying for seconds. */
  private readonly probe: Kafka;

  constructor(private readonly options: KafkaClientOptions) {
    process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
    const log = options.logger.child({ component: 'kafkajs' });
    const settings: KafkaConfig = {
      ...KAFKA_CLIENT_SETTINGS,
      clientId: options.clientId,
      brokers: options.brokers,
      logCreator:
        () =>
        ({ namespace, level, log: entry }) => {
          const { message, timestamp: _t, logger: _l, ...rest } = entry;
          // We bound retries on purpose and retry at our level (the worker and group commit do).
          if (String(message).startsWith('Limiting retries for the idempotent producer')) return;
          log.write(LEVEL[level] ?? 'info', String(message), { namespace, ...rest });
        },
    };
    this.kafka = new Kafka(settings);
    this.probe = new Kafka({ ...settings, retry: { retries: 0 }, logLevel: logLevel.NOTHING });
  }

  /** Each partition's end (high watermark): the offset the next record will get. */
  async endOffsets(topic: string): Promise<Map<number, number>> {
    return new Map([...(await this.offsetRanges(topic))].map(([partition, r]) => [partition, r.high]));
  }

  /** The names of the topics the cluster holds. */
  async listTopics(): Promise<string[]> {
    const admin = this.admin();
    await admin.connect();
    try {
      return await admin.listTopics();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Each partition's first and next offset: a partition holds records while low < high. */
  async offsetRanges(topic: string): Promise<Map<number, { low: number; high: number }>> {
    const admin = this.admin();
    await admin.connect();
    try {
      return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Records a consumer group has not committed yet, per topic (end offset minus committed offset,
   * from the log start for a partition it never committed). Bounded by
   * `timeoutMs`, so a scrape answers while Kafka is down.
   */
  async groupLag(groupId: string, topics: string[], timeoutMs: number): Promise<Map<string, number>> {
    const admin = this.kafka.admin();
    const work = admin.connect().then(async () => {
      const [committed, ...ends] = await Promise.all([
        admin.fetchOffsets({ groupId, topics }),
        ...topics.map((topic) => admin.fetchTopicOffsets(topic)),
      ]);
      return new Map(
        topics.map((topic, i) => {
          const done = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
          const lag = ends[i].reduce((sum, p) => {
            const from = done.get(p.partition) ?? -1;
            return sum + Math.max(0, Number(p.high) - (from >= 0 ? from : Number(p.low)));
          }, 0);
          return [topic, lag];
        }),
      );
    });
    try {
      return await withDeadline(work, timeoutMs, 'Kafka');
    } finally {
      void work.catch(() => undefined).finally(() => admin.disconnect().catch(() => undefined));
    }
  }

  /** The member tags (worker ids) of a group's live members; empty when the group has none. */
  async liveMemberTags(groupId: string): Promise<string[]> {
    const admin = this.admin();
    await admin.connect();
    try {
      const [group] = (await admin.describeGroups([groupId])).groups;
      if (group.protocol !== ASSIGNER_NAME) return [];
      return group.members.map((m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData.toString() ?? '').filter(Boolean);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  admin(): Admin {
    return this.kafka.admin();
  }

  producer(config: ProducerConfig): Producer {
    return this.kafka.producer(config);
  }

  consumer(config: ConsumerConfig): Consumer {
    return this.kafka.consumer(config);
  }

  /**
   * Resolves when a configured broker answers within `timeoutMs`. A fresh admin with no retries
   * connects to the bootstrap brokers and reads metadata, so a broker that went away after start
   * is noticed (long-lived clients keep their old connections and retry for seconds).
   */
  async ping(timeoutMs: number): Promise<void> {
    const admin = this.probe.admin({ retry: { retries: 0 } });
    const attempt = admin.connect().then(() => admin.listTopics());
    try {
      await withDeadline(attempt, timeoutMs, 'Kafka');
    } finally {
      // Disconnect only once the attempt settles: disconnecting mid-connect leaves sockets behind.
      void attempt.catch(() => undefined).finally(() => admin.disconnect().catch(() => undefined));
    }
  }

  /**
   * Creates missing topics with `max.message.bytes` set, plus any per-topic settings in
   * `topicConfig` (e.g. the events topic's `retention.ms`); existing ones are left as they are.
   * Returns the smallest `max.message.bytes` among the topics, so callers size records by it.
   */
  async ensureTopics(
    topics: string[],
    partitions: number,
    replication: number,
    maxMessageBytes: number,
    overrides: Record<string, TopicOverride> = {},
  ): Promise<number> {
    const admin = this.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: overrides[topic]?.partitions ?? partitions,
            replicationFactor: replication,
            configEntries: Object.entries({ ...overrides[topic]?.config, 'max.message.bytes': String(maxMessageBytes) }).map(
              ([name, value]) => ({ name, value }),
            ),
          })),
        });
      }
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics
          .filter((name) => !overrides[name]?.smallRecords)
          .map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
      });
      const limits = described.resources.flatMap((r) => r.configEntries.map((c) => Number(c.configValue)).filter((n) => n > 0));
      return limits.length ? Math.min(...limits) : maxMessageBytes;
    } finally {
      await admin.disconnect();
    }
  }
}

export function toInMessage(
  topic: string,
  partition: number,
  m: { key: Buffer | null; value: Buffer | null; offset: string; headers?: IHeaders; timestamp: string },
): InMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return { topic, partition, offset: m.offset, key: m.key ? m.key.toString() : null, value: m.value, headers, timestamp: m.timestamp };
}
