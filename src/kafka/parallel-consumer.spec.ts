import { JsonLogger } from '../common/logger';
import { KafkaClient } from './kafka.client';
import { InMessage } from './kafka.types';
import { HandleResult, ParallelConsumer, ParallelConsumerOptions } from './parallel-consumer';

type TopicPartitions = { topic: string; partitions?: number[] };

/** Just enough of a kafkajs consumer to drive `eachBatch` by hand. */
class FakeConsumer {
  readonly events = { GROUP_JOIN: 'group.join', CRASH: 'consumer.crash' };
  eachBatch!: (payload: unknown) => Promise<void>;
  readonly paused: TopicPartitions[] = [];
  readonly resumed: TopicPartitions[] = [];
  readonly commits: { topic: string; partition: number; offset: string }[] = [];
  disconnected = false;
  on(): void {}
  async connect(): Promise<void> {}
  async subscribe(): Promise<void> {}
  async run(config: { eachBatch: (payload: unknown) => Promise<void> }): Promise<void> {
    this.eachBatch = config.eachBatch;
  }
  pause(tps: TopicPartitions[]): void {
    this.paused.push(...tps);
  }
  resume(tps: TopicPartitions[]): void {
    this.resumed.push(...tps);
  }
  async commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    this.commits.push(...offsets);
  }
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  /** Delivers one batch; returns the offsets the consumer resolved (took on). */
  async deliver(partition: number, offsets: number[], key = (o: number) => `k${o}`): Promise<string[]> {
    const resolved: string[] = [];
    await this.eachBatch({
      batch: {
        topic: 'cmds',
        partition,
        messages: offsets.map((o) => ({
          offset: String(o),
          key: Buffer.from(key(o)),
          value: Buffer.from(`v${o}`),
          headers: {},
          timestamp: '0',
        })),
      },
      resolveOffset: (o: string) => resolved.push(o),
      isRunning: () => true,
      isStale: () => false,
    });
    return resolved;
  }

  lastCommit(partition: number): number | undefined {
    const c = this.commits.filter((x) => x.partition === partition).at(-1);
    return c ? Number(c.offset) : undefined;
  }
}

function setup(options: Partial<ParallelConsumerOptions> & Pick<ParallelConsumerOptions, 'handle'>) {
  const consumers: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const c = new FakeConsumer();
      consumers.push(c);
      return c;
    },
  } as unknown as KafkaClient;
  const pc = new ParallelConsumer(kafka, {
    groupId: 'g',
    topics: ['cmds'],
    concurrency: 10,
    maxBuffered: 100,
    maxPendingPerPartition: 100,
    sessionTimeoutMs: 6000,
    logger: new JsonLogger('error'),
    ...options,
  });
  return { pc, consumers };
}

const offsetOf = (m: InMessage) => Number(m.offset);
const never = new Promise<never>(() => undefined);

async function waitUntil(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ParallelConsumer', () => {
  describe('when one message never finishes while later ones do', () => {
    it('pauses that partition at the cap instead of tracking offsets without bound', async () => {
      const { pc, consumers } = setup({
        maxPendingPerPartition: 5,
        handle: async (m): Promise<HandleResult> => (offsetOf(m) === 0 ? { durable: never } : undefined),
      });
      await pc.start();
      const c = consumers[0];
      const taken = await c.deliver(
        0,
        Array.from({ length: 20 }, (_, i) => i),
      );
      expect(taken).toEqual(['0', '1', '2', '3', '4']);
      await waitUntil(() => c.paused.some((p) => p.partitions?.[0] === 0));
      // The other partitions keep flowing.
      expect(await c.deliver(1, [0, 1, 2])).toEqual(['0', '1', '2']);
      expect(c.paused).toEqual([{ topic: 'cmds', partitions: [0] }]);
    });
  });

  describe('when a handler keeps throwing', () => {
    it('retries it a bounded number of times, commits what finished, and restarts from the committed offset', async () => {
      const tries = new Map<number, number>();
      const { pc, consumers } = setup({
        handleAttempts: 2,
        handle: async (m) => {
          tries.set(offsetOf(m), (tries.get(offsetOf(m)) ?? 0) + 1);
          if (offsetOf(m) === 1) throw new Error('DLQ unavailable');
        },
      });
      await pc.start();
      await consumers[0].deliver(0, [0, 1, 2]);
      await waitUntil(() => consumers.length === 2);
      expect(tries.get(1)).toBe(2);
      expect(consumers[0].lastCommit(0)).toBe(1);
      expect(consumers[0].disconnected).toBe(true);
      expect(pc.restarts).toBe(1);
      // The new consumer reads the poison message again from there.
      await consumers[1].deliver(0, [1, 2]);
      expect(tries.get(1)).toBe(3);
      await pc.stop({ graceMs: 1000 });
    });
  });

  describe('when it stops', () => {
    it('releases the messages still waiting for a slot at once, starting none of them', async () => {
      let openGate!: () => void;
      const gate = new Promise<void>((r) => (openGate = r));
      const handled: number[] = [];
      const released: number[] = [];
      const { pc, consumers } = setup({
        concurrency: 1,
        handle: async (m) => {
          handled.push(offsetOf(m));
          await gate;
        },
        release: async (m) => void released.push(offsetOf(m)),
      });
      await pc.start();
      const c = consumers[0];
      await c.deliver(0, [0, 1, 2, 3]);
      await waitUntil(() => handled.length === 1);
      const stopping = pc.stop({ graceMs: 5000 });
      await waitUntil(() => released.length === 3);
      expect(released).toEqual([1, 2, 3]);
      openGate();
      await stopping;
      expect(handled).toEqual([0]);
      // Finished and released alike are committed: the next owner starts after them.
      expect(c.lastCommit(0)).toBe(4);
    });

    it('releases a message queued behind a running one with its key only after that one, keeping key order', async () => {
      let openGate!: () => void;
      const gate = new Promise<void>((r) => (openGate = r));
      const order: string[] = [];
      const { pc, consumers } = setup({
        keyOf: (m) => m.key,
        handle: async (m) => {
          order.push(`ran ${m.offset}`);
          await gate;
        },
        release: async (m) => void order.push(`released ${m.offset}`),
      });
      await pc.start();
      await consumers[0].deliver(0, [0, 1], () => 'same-key');
      await waitUntil(() => order.length === 1);
      const stopping = pc.stop({ graceMs: 5000 });
      await new Promise((r) => setTimeout(r, 20));
      expect(order).toEqual(['ran 0']);
      openGate();
      await stopping;
      expect(order).toEqual(['ran 0', 'released 1']);
    });

    it('at the grace deadline calls onGraceExpired once, and leaves a message that was not released uncommitted', async () => {
      let abort!: () => void;
      const aborted = new Promise<void>((r) => (abort = r));
      const { pc, consumers } = setup({
        handle: async (m) => {
          if (offsetOf(m) === 0) await aborted;
          // An aborted handler whose hand-back fails: the offset must wait for the next owner.
          return offsetOf(m) === 0 ? { durable: Promise.reject(new Error('re-publish failed')) } : undefined;
        },
      });
      await pc.start();
      const c = consumers[0];
      await c.deliver(0, [0, 1]);
      const onGraceExpired = jest.fn(() => abort());
      const t0 = Date.now();
      await pc.stop({ graceMs: 100, onGraceExpired });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
      expect(onGraceExpired).toHaveBeenCalledTimes(1);
      expect(c.lastCommit(0) ?? 0).toBe(0);
      expect(consumers).toHaveLength(1);
    });
  });
});
