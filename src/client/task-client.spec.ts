import { ErrorCode, TasklogError } from '../common/errors';
import { TaskState } from '../domain';
import { OutMessage, topicsFor, TransactionalPublisher } from '../kafka';
import { TaskClient, TaskClientDeps } from './task-client';

function client(overrides: Partial<TaskClientDeps> = {}) {
  const published: OutMessage[][] = [];
  let fail = false;
  const publisher = {
    publish: async (group: OutMessage[]) => {
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error('broker down');
      published.push(group);
    },
  } as unknown as TransactionalPublisher;
  const c = new TaskClient({
    publisher,
    topics: topicsFor('t'),
    now: () => Date.parse('2026-11-26T10:00:00Z'),
    maxPayloadBytes: 1000,
    isKnownType: (t) => t === 'report.build',
    ...overrides,
  });
  return { c, published, failNext: (v: boolean) => (fail = v) };
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return (e as TasklogError).code ?? (e as Error).message;
  }
};

describe('TaskClient', () => {
  it('publishes twelve concurrent enqueues under one idempotency key once, and answers all with one task', async () => {
    const { c, published } = client();
    const states = await Promise.all(Array.from({ length: 12 }, () => c.enqueue('report.build', { a: 1 }, { idempotencyKey: 'k-1' })));
    expect(new Set(states.map((s) => s.id)).size).toBe(1);
    expect(published).toHaveLength(1);
  });

  it('answers 409 naming the key when a used key comes with another payload, in flight or projected', async () => {
    const { c } = client();
    const first = c.enqueue('report.build', { a: 1 }, { idempotencyKey: 'k-2' });
    await expect(c.enqueue('report.build', { a: 2 }, { idempotencyKey: 'k-2' })).rejects.toThrow(/idempotency key "k-2"/);
    await first;

    const projected = { type: 'report.build', payload: { b: 2, a: 1 } } as unknown as TaskState;
    const other = client({ findExisting: async () => projected }).c;
    expect(await code(other.enqueue('report.build', { a: 1 }, { idempotencyKey: 'k-3' }))).toBe(ErrorCode.IDEMPOTENCY_CONFLICT);
    // Key order does not make a payload different (jsonb reorders keys).
    expect((await other.enqueue('report.build', { a: 1, b: 2 }, { idempotencyKey: 'k-3' })).payload).toEqual({ b: 2, a: 1 });
  });

  it('forgets a key whose publish failed, so a retry publishes', async () => {
    const { c, published, failNext } = client();
    failNext(true);
    await expect(c.enqueue('report.build', 1, { idempotencyKey: 'k-4' })).rejects.toThrow('broker down');
    failNext(false);
    await c.enqueue('report.build', 1, { idempotencyKey: 'k-4' });
    expect(published).toHaveLength(1);
  });

  it.each([
    ['a NUL in the payload', 'report.build', { s: 'a\u0000' }, {}, /payload\.s contains a NUL/],
    ['an unpaired surrogate in a label', 'report.build', 1, { labels: { l: '\uD800' } }, /labels\.l: contains an unpaired/],
    ['an idempotency key of 201 characters', 'report.build', 1, { idempotencyKey: 'k'.repeat(201) }, /idempotencyKey/],
    ['a NUL in the task type', 'report\u0000', 1, {}, /type: contains a NUL/],
    ['a payload nested 100 deep', 'report.build', nest(100), {}, /deeper than 64/],
    ['an unknown option', 'report.build', 1, { prioritee: 3 }, /prioritee/],
    ['a BigInt payload', 'report.build', { n: BigInt(1) }, {}, /not JSON-serialisable/],
  ])('refuses %s with INVALID_INPUT before publishing', async (_, type, payload, options, message) => {
    const { c, published } = client();
    const p = c.enqueue(type, payload, options as object);
    await expect(p).rejects.toThrow(message);
    expect(await code(p)).toBe(ErrorCode.INVALID_INPUT);
    expect(published).toHaveLength(0);
  });

  it('refuses a payload over the limit, and a record the topics would refuse, with PAYLOAD_TOO_LARGE', async () => {
    const { c } = client();
    expect(await code(c.enqueue('report.build', 'x'.repeat(1001)))).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    const tight = client({
      assertFits: () => {
        throw new TasklogError(ErrorCode.PAYLOAD_TOO_LARGE, 'too big for the topic');
      },
    }).c;
    expect(await code(tight.enqueue('report.build', 'small'))).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
  });
});

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}
