import { Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { ProgressBar } from './progress';
import { pace } from './pacer';
import { Summary, summarize } from './stats';
import { pool, round, say, sleep, withTimeout } from './util';

export const redisUrl = (): string => process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** True when a Redis answers PING at `url` within a second or two; never throws. */
export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new IORedis(url, { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await withTimeout(redis.connect(), 2000, 'redis connect');
    return (await withTimeout(redis.ping(), 2000, 'redis ping')) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export interface BullmqResult {
  tasksPerSec: number;
  /** First add to last completion. */
  seconds: number;
  enqueuePerSec: number;
  /** job.timestamp -> processedOn, and -> finishedOn. */
  latencyMs: { enqueueToStart: Summary; enqueueToCompleted: Summary };
}

/**
 * A queue and a worker (concurrency 50) in this process, a no-op processor, and `run` in between.
 * Each completed job's timestamps go to `onDone`. The queue is obliterated afterwards.
 */
async function withBullmq<T>(name: string, url: string, onDone: (job: Job) => void, run: (queue: Queue) => Promise<T>): Promise<T> {
  // maxRetriesPerRequest null is what BullMQ requires of a worker's connection.
  const connections = [new IORedis(url, { maxRetriesPerRequest: null }), new IORedis(url, { maxRetriesPerRequest: null })];
  const queue = new Queue(name, { connection: connections[0] });
  const worker = new Worker(name, async () => undefined, { connection: connections[1], concurrency: 50 });
  worker.on('completed', onDone);
  worker.on('error', (e) => say(`WARNING: BullMQ worker: ${e.message}`));
  try {
    await worker.waitUntilReady();
    await queue.waitUntilReady();
    return await run(queue);
  } finally {
    await worker.close().catch(() => undefined);
    await queue.obliterate({ force: true }).catch((e) => say(`WARNING: could not obliterate ${name}: ${(e as Error).message}`));
    await queue.close().catch(() => undefined);
    for (const c of connections) c.disconnect();
  }
}

/** The throughput run: `tasks` no-op jobs added one `queue.add` at a time, `inFlight` at once. */
export async function runBullmqThroughput(o: {
  tasks: number;
  inFlight: number;
  id: string;
  url: string;
  timeoutMs: number;
}): Promise<BullmqResult> {
  const starts: number[] = [];
  const completes: number[] = [];
  let lastFinish = 0;
  let signalDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (signalDone = r));
  const onDone = (job: Job) => {
    starts.push(job.processedOn! - job.timestamp);
    completes.push(job.finishedOn! - job.timestamp);
    if (completes.length === o.tasks) {
      lastFinish = performance.now();
      signalDone();
    }
  };
  return withBullmq(`bench-${o.id}`, o.url, onDone, async (queue) => {
    const bar = new ProgressBar(o.tasks, 'completed');
    const ticker = setInterval(() => bar.update(completes.length), 200);
    const t0 = performance.now();
    try {
      await pool(o.tasks, o.inFlight, async (i) => {
        await queue.add('bench.noop', { i });
      });
      const enqueueS = (performance.now() - t0) / 1000;
      await withTimeout(done, o.timeoutMs, `BullMQ run (${completes.length}/${o.tasks} completed)`);
      const seconds = (lastFinish - t0) / 1000;
      return {
        tasksPerSec: round(o.tasks / seconds, 1),
        seconds: round(seconds, 3),
        enqueuePerSec: round(o.tasks / enqueueS, 1),
        latencyMs: { enqueueToStart: summarize(starts), enqueueToCompleted: summarize(completes) },
      };
    } finally {
      clearInterval(ticker);
      bar.finish(completes.length);
    }
  });
}

/** Steady rate: jobs added by the pacer at each rate in turn; enqueue->start per rate. */
export async function runBullmqSteady(o: {
  rates: number[];
  seconds: number;
  id: string;
  url: string;
  timeoutMs: number;
}): Promise<Summary[]> {
  let current: number[] = [];
  return withBullmq(
    `bench-${o.id}-steady`,
    o.url,
    (job) => current.push(job.processedOn! - job.timestamp),
    async (queue) => {
      const out: Summary[] = [];
      for (const rate of o.rates) {
        current = [];
        let failed = 0;
        const paced = await pace(rate, o.seconds, (i) => {
          queue.add('bench.noop', { i }).catch(() => failed++);
        });
        const deadline = Date.now() + o.timeoutMs;
        while (current.length + failed < paced.sent) {
          if (Date.now() > deadline) throw new Error(`BullMQ steady ${rate}/s: ${current.length}/${paced.sent} completed in time`);
          await sleep(50);
        }
        const s = summarize(current);
        out.push(s);
        say(
          `bullmq  ${String(rate).padStart(5)}/s: ${paced.sent} jobs in ${paced.seconds.toFixed(1)} s (pacer at most ${paced.maxBurst} per tick, ${paced.maxLateMs} ms late); enqueue->start ms p50 ${s.p50} p90 ${s.p90} p99 ${s.p99} max ${s.max}` +
            (failed ? `; ${failed} add(s) failed` : ''),
        );
      }
      return out;
    },
  );
}
