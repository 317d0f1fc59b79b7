import { ErrorCode, TasklogError } from '../common/errors';
import { evolve, TaskState } from '../domain';
import { decodeRunCommand, EventSchema, originEvents } from '../events';
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

describe('TaskClient.cancel', () => {
  const task = (status: string, extra: Partial<TaskState> = {}) =>
    ({
      id: '0190f0f0-0000-7000-8000-000000000001',
      tenantId: 'acme',
      type: 'report.build',
      status,
      attempt: status === 'running' ? 1 : 0,
      cancelRequestedAt: null,
      ...extra,
    }) as TaskState;
  const decoded = (group: OutMessage[]) => group.map((m) => ({ topic: m.topic, key: m.key, value: JSON.parse(m.value.toString()) }));

  it('ends a queued task at once: cancel-requested, cancelled and the signal in one transaction', async () => {
    const { c, published } = client();
    const state = await c.cancel(task('queued'), 'ops', 'not needed');
    expect(state.status).toBe('cancelled');
    expect(published).toHaveLength(1);
    const [requested, cancelled, signal] = decoded(published[0]);
    expect(requested).toMatchObject({
      topic: 't.events',
      value: { type: 'task.cancel-requested', data: { reason: 'not needed', requestedBy: 'ops' } },
    });
    expect(cancelled).toMatchObject({
      topic: 't.events',
      value: { type: 'task.cancelled', data: { reason: 'not needed', wasRunning: false } },
    });
    expect(signal).toMatchObject({
      topic: 't.control',
      key: task('queued').id,
      value: { taskId: task('queued').id, attempt: 1, reason: 'not needed' },
    });
  });

  it('asks the worker of a running task to stop, and a repeat only re-sends the signal', async () => {
    const { c, published } = client();
    const state = await c.cancel(task('running'), 'ops');
    expect(state).toMatchObject({ status: 'running', cancelRequestedAt: expect.any(String) });
    expect(decoded(published[0]).map((m) => m.value.type ?? 'signal')).toEqual(['task.cancel-requested', 'signal']);
    await c.cancel(state, 'ops');
    expect(decoded(published[1]).map((m) => m.topic)).toEqual(['t.control']);
    expect(decoded(published[1])[0].value).toMatchObject({ attempt: 1, reason: 'cancelled' });
  });

  it.each(['completed', 'failed', 'cancelled', 'expired'])(
    'refuses a %s task with TASK_STATE_CONFLICT and publishes nothing',
    async (status) => {
      const { c, published } = client();
      expect(await code(c.cancel(task(status), 'ops'))).toBe(ErrorCode.TASK_STATE_CONFLICT);
      expect(published).toHaveLength(0);
    },
  );
});

describe('TaskClient expiry options', () => {
  it('turns ttlMs into an expiresAt carried by the event and the run command', async () => {
    const { c, published } = client();
    const state = await c.enqueue('report.build', 1, { ttlMs: 60000 });
    expect(state.expiresAt).toBe('2026-11-26T10:01:00.000Z');
    const [command] = published[0].map((m) => JSON.parse(m.value.toString()));
    expect(command.origin.data.expiresAt).toBe('2026-11-26T10:01:00.000Z');
    expect(command.expiresAt).toBe('2026-11-26T10:01:00.000Z');
  });

  it('takes expiresAt with an offset, and refuses it together with ttlMs', async () => {
    const { c } = client();
    expect((await c.enqueue('report.build', 1, { expiresAt: '2026-11-26T12:00:00+01:00' })).expiresAt).toBe('2026-11-26T11:00:00.000Z');
    expect(await code(c.enqueue('report.build', 1, { expiresAt: '2026-11-26T12:00:00Z', ttlMs: 5 }))).toBe(ErrorCode.INVALID_INPUT);
  });
});

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { v };
  return v;
}

describe('TaskClient single-record enqueue (ADR 0009)', () => {
  it('publishes one lane record that carries task.enqueued and task.queued, which rebuild the returned state', async () => {
    const { c, published } = client();
    const state = await c.enqueue('report.build', { month: '2026-11' }, { priority: 9, labels: { team: 'a' }, correlationId: 'c-1' });
    expect(published).toHaveLength(1);
    expect(published[0]).toHaveLength(1);
    const [record] = published[0];
    expect(record.topic).toBe('t.commands.high');
    const command = decodeRunCommand(record.value);
    const carried = originEvents(command);
    expect(carried.map((e) => e.type)).toEqual(['task.enqueued', 'task.queued']);
    carried.forEach((e) => expect(EventSchema.safeParse(e).success).toBe(true));
    expect(carried.reduce<TaskState | null>((s, e) => evolve(s, e), null)).toEqual(state);
  });

  it('publishes a delayed task as task.enqueued alone on the events topic', async () => {
    const { c, published } = client();
    await c.enqueue('report.build', 1, { delayMs: 60000 });
    expect(published[0].map((m) => [m.topic, JSON.parse(m.value.toString()).type])).toEqual([['t.events', 'task.enqueued']]);
  });
});
