import { randomUUID } from 'node:crypto';
import { KAFKA_CLIENT_SETTINGS } from '../src/kafka/kafka.client';
import { Consumer, EachBatchPayload, IHeaders, Kafka, logLevel, Message } from 'kafkajs';
import { deleteKafkaState } from './engine-run';
import { ProgressBar } from './progress';
import { pool, round, say, sleep, withTimeout } from './util';

export interface RawResult {
  tasksPerSec: number;
  /** First produce to last message consumed. */
  seconds: number;
  messages: number;
  /** First produce to the last client send acknowledged: the client side alone. */
  produceSeconds: number;
  /** Tasks per second of the client side alone. */
  producePerSec: number;
  /** kafkajs log lines about CONCURRENT_TRANSACTIONS retries (see ADR 0001). */
  concurrentTxRetries: number;
}

export interface RawRunOptions {
  tasks: number;
  id: string;
  brokers: string[];
  /**
   * `batched`: the best pattern kafkajs allows here, idempotent non-transactional sendBatch of
   * `tasksPerSend` tasks with up to `sendsInFlight` sends in flight. `transactional`: the
   * engine's shape, sequential transactions of `tasksPerSend` tasks (the old ceiling).
   */
  mode: 'batched' | 'transactional';
  tasksPerSend: number;
  sendsInFlight: number;
  timeoutMs: number;
}

/**
 * The ceiling: the engine's Kafka traffic with plain kafkajs and no engine logic. Per task:
 * 2 events + 1 command from the "client" (in `batched` mode idempotent sends with several in
 * flight; in `transactional` mode one transaction per `tasksPerSend` tasks, like group commit);
 * a command consumer answers each command with 2 more events from an idempotent producer
 * (like the worker); an events consumer reads all 4 events (like the projector, minus
 * Postgres). Values have the engine's JSON shape and size, with the same headers.
 */
export async function runRawCeiling(o: RawRunOptions): Promise<RawResult> {
  const prefix = `bench-raw.${o.id}${o.mode === 'batched' ? 'b' : 't'}`;
  const topics = { events: `${prefix}.events`, commands: `${prefix}.commands` };
  const groups = { commands: `${prefix}.workers`, events: `${prefix}.projector` };
  // Same client settings as the engine's adapter.
  const kafka = new Kafka({
    ...KAFKA_CLIENT_SETTINGS,
    clientId: prefix,
    brokers: o.brokers,
    logCreator:
      () =>
      ({ namespace, level, log }) => {
        const message = String(log.message);
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        // The coordinator is still writing the previous commit's markers; kafkajs retries after
        // 5 ms (ADR 0001). Expected under back-to-back transactions: counted, not printed.
        if (CONCURRENT_TX.test(message) || CONCURRENT_TX.test(String((log as { error?: unknown }).error ?? ''))) {
          concurrentTxRetries++;
          return;
        }
        ProgressBar.clearLine();
        process.stderr.write(`[raw kafkajs ${level === logLevel.ERROR ? 'error' : 'warn'}] ${namespace}: ${log.message}\n`);
      },
  });
  let concurrentTxRetries = 0;
  const admin = kafka.admin();
  const tx = kafka.producer({
    transactionalId: `${prefix}-tx`,
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { initialRetryTime: 5, retries: 8, maxRetryTime: 1000 },
  });
  const inFlight = o.mode === 'batched' ? o.sendsInFlight : 1;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: inFlight, allowAutoTopicCreation: false });
  const consumers: Consumer[] = [];
  const total = o.tasks * 5;
  let commandsSeen = 0;
  let eventsSeen = 0;
  let workerError: Error | null = null;
  let finishedAt = 0;
  let signalDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (signalDone = r));
  const check = () => {
    if (!finishedAt && commandsSeen >= o.tasks && eventsSeen >= o.tasks * 4) {
      finishedAt = performance.now();
      signalDone();
    }
  };

  try {
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [topics.events, topics.commands].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
    });
    await Promise.all([o.mode === 'transactional' ? tx.connect() : undefined, producer.connect()]);

    // Consumer settings as the engine's worker (maxWait 500) and projector (maxWait 200).
    const startConsumer = async (
      groupId: string,
      topic: string,
      maxWaitTimeInMs: number,
      onBatch: (p: EachBatchPayload) => Promise<void>,
    ) => {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs, readUncommitted: false, allowAutoTopicCreation: false });
      consumers.push(consumer);
      const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ partitionsConsumedConcurrently: 3, eachBatch: onBatch });
      await withTimeout(joined, 60_000, `consumer group ${groupId} join`);
    };
    await Promise.all([
      startConsumer(groups.commands, topics.commands, 500, async ({ batch, resolveOffset }) => {
        if (batch.messages.length === 0) return;
        // The "worker": task.started + task.completed for every command, then commit.
        const out: Message[] = [];
        for (const m of batch.messages) {
          const cmd = JSON.parse(m.value!.toString()) as { taskId: string; tenantId: string };
          out.push(eventMessage(cmd.taskId, 'task.started', { workerId: WORKER_ID, attempt: 1 }, 1));
          out.push(eventMessage(cmd.taskId, 'task.completed', { durationMs: 0 }, 1));
        }
        try {
          await producer.sendBatch({ topicMessages: [{ topic: topics.events, messages: out }], acks: -1 });
        } catch (e) {
          workerError ??= e as Error;
          throw e;
        }
        commandsSeen += batch.messages.length;
        resolveOffset(batch.lastOffset());
        check();
      }),
      startConsumer(groups.events, topics.events, 200, async ({ batch, resolveOffset }) => {
        eventsSeen += batch.messages.length;
        resolveOffset(batch.lastOffset());
        check();
      }),
    ]);

    const bar = new ProgressBar(total, 'messages consumed');
    const ticker = setInterval(() => bar.update(commandsSeen + eventsSeen), 200);
    const start = performance.now();
    let produced = 0;
    try {
      // The "client": batches of `tasksPerSend` tasks, sent as the mode says.
      const batches = Math.ceil(o.tasks / o.tasksPerSend);
      const sendOne = async (b: number) => {
        const first = b * o.tasksPerSend;
        const n = Math.min(o.tasksPerSend, o.tasks - first);
        const events: Message[] = [];
        const commands: Message[] = [];
        for (let i = first; i < first + n; i++) {
          const taskId = randomUUID();
          const at = new Date().toISOString();
          events.push(
            eventMessage(
              taskId,
              'task.enqueued',
              { taskType: 'bench.noop', payload: { i }, priority: 5, maxAttempts: 1, backoff: { type: 'exponential', delayMs: 1000 } },
              0,
              at,
            ),
            eventMessage(taskId, 'task.queued', { attempt: 1 }, 1, at),
          );
          commands.push({
            key: taskId,
            value: JSON.stringify({ taskId, tenantId: 'default', taskType: 'bench.noop', payload: { i }, attempt: 1, enqueuedAt: at }),
            headers: headers('task.run'),
          });
        }
        const topicMessages = [
          { topic: topics.events, messages: events },
          { topic: topics.commands, messages: commands },
        ];
        if (o.mode === 'batched') {
          await producer.sendBatch({ topicMessages, acks: -1 });
          return;
        }
        const t = await tx.transaction();
        try {
          await t.sendBatch({ topicMessages });
          await t.commit();
        } catch (e) {
          await t.abort().catch(() => undefined);
          throw e;
        }
      };
      await pool(batches, inFlight, sendOne);
      produced = performance.now();
      await withTimeout(
        Promise.race([
          done,
          (async () => {
            while (!workerError && !finishedAt) await sleep(100);
            if (workerError) throw workerError;
          })(),
        ]),
        o.timeoutMs,
        `kafkajs ceiling run (${commandsSeen + eventsSeen}/${total} messages consumed)`,
      );
    } finally {
      clearInterval(ticker);
      bar.finish(commandsSeen + eventsSeen);
    }
    const seconds = (finishedAt - start) / 1000;
    return {
      tasksPerSec: round(o.tasks / seconds, 1),
      seconds: round(seconds, 3),
      messages: commandsSeen + eventsSeen,
      produceSeconds: round((produced - start) / 1000, 3),
      producePerSec: round((o.tasks * 1000) / (produced - start), 1),
      concurrentTxRetries,
    };
  } finally {
    for (const c of consumers) await c.disconnect().catch(() => undefined);
    await tx.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await deleteKafkaState(o.brokers, [topics.events, topics.commands], [groups.commands, groups.events]);
  }
}

const CONCURRENT_TX = /concurrent operation on the same transaction|CONCURRENT_TRANSACTIONS|AddPartitionsToTxn/;
const WORKER_ID = `bench-${process.pid}`;

function headers(type: string): IHeaders {
  return { 'event-type': type, 'schema-version': '1', 'tenant-id': 'default', 'content-type': 'application/json' };
}

/** An event with the engine's envelope (src/events/event.factory.ts), so sizes match. */
function eventMessage(taskId: string, type: string, data: unknown, attempt: number, at = new Date().toISOString()): Message {
  const value = JSON.stringify({ id: randomUUID(), type, v: 1, taskId, tenantId: 'default', at, attempt, data });
  return { key: taskId, value, headers: headers(type) };
}
