import { OutMessage, topicsFor } from '../kafka';
import { ExpirySweeper } from './expiry-sweeper';
import { SweptTask } from './sweep-tasks.query';

const expired = (id: string): SweptTask => ({
  id,
  tenantId: 'acme',
  attempt: 1,
  end: { kind: 'expired', expiresAt: '2026-11-26T10:00:00.000Z' },
});

describe('ExpirySweeper', () => {
  let now = Date.parse('2026-11-26T10:00:01.000Z');
  const groups: OutMessage[][] = [];
  const s = new ExpirySweeper({ topics: topicsFor('t'), publish: async (g) => void groups.push(g), now: () => now });
  const event = (g: OutMessage[]) => JSON.parse(g[0].value.toString());

  it('appends task.expired once per task while the projection lags', async () => {
    expect(await s.sweep([expired('a'), expired('b')])).toBe(2);
    expect(await s.sweep([expired('a')])).toBe(0);
    expect(groups.map((g) => g[0].topic)).toEqual(['t.events', 't.events']);
    expect(event(groups[0])).toMatchObject({
      type: 'task.expired',
      taskId: 'a',
      attempt: 1,
      data: { expiresAt: '2026-11-26T10:00:00.000Z' },
    });
  });

  it('gives a repeat after failover the same event id, so history keeps one', async () => {
    s.reset();
    now += 1000;
    await s.sweep([expired('a')]);
    expect(event(groups[groups.length - 1]).id).toBe(event(groups[0]).id);
  });

  it('cancels a retry whose cancel was requested, not started', async () => {
    await s.sweep([{ id: 'c', tenantId: 'acme', attempt: 2, end: { kind: 'cancelled', reason: 'stop' } }]);
    expect(event(groups[groups.length - 1])).toMatchObject({
      type: 'task.cancelled',
      attempt: 2,
      data: { reason: 'stop', wasRunning: false },
    });
  });

  it('ends an attempt once when it is both expired and cancel-requested', async () => {
    const before = groups.length;
    const both = (kind: 'expired' | 'cancelled'): SweptTask =>
      kind === 'expired'
        ? { ...expired('d'), attempt: 3 }
        : { id: 'd', tenantId: 'acme', attempt: 3, end: { kind: 'cancelled', reason: 'stop' } };
    expect(await s.sweep([both('expired'), both('cancelled')])).toBe(1);
    expect(groups.length - before).toBe(1);
  });
});
