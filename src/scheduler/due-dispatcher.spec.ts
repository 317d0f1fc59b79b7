import { OutMessage, topicsFor } from '../kafka';
import { DueDispatcher } from './due-dispatcher';
import { DueTask } from './due-task';

const task = (id: string, attempt = 1): DueTask => ({
  id,
  tenantId: 'acme',
  type: 'report.build',
  payload: { n: 1 },
  priority: 9,
  attempt,
  timeoutMs: 5000,
  maxAttempts: 1,
  backoff: { type: 'fixed', delayMs: 0 },
  concurrencyKey: null,
  expiresAt: null,
  createdAt: '2026-11-26T10:00:00.000Z',
  runAt: '2026-11-26T10:05:00.000Z',
});

describe('DueDispatcher', () => {
  let now = 0;
  const groups: OutMessage[][] = [];
  const d = new DueDispatcher({ topics: topicsFor('t'), publish: async (g) => void groups.push(g), now: () => now });

  it('sends queued + run command on the lane of the priority, once per (task, attempt) while the projection lags', async () => {
    expect(await d.dispatch([task('a'), task('b')])).toBe(2);
    expect(await d.dispatch([task('a'), task('b'), task('a', 2)])).toBe(1);
    expect(groups).toHaveLength(3);
    const [event, command] = groups[0];
    expect(event.topic).toBe('t.events');
    expect(JSON.parse(event.value.toString())).toMatchObject({ type: 'task.queued', taskId: 'a', attempt: 1, data: { attempt: 1 } });
    expect(command.topic).toBe('t.commands.high');
    expect(JSON.parse(command.value.toString())).toMatchObject({ taskId: 'a', attempt: 1, timeoutMs: 5000, taskType: 'report.build' });
  });

  it('gives a repeated dispatch (after failover) the same event id, so history keeps one', async () => {
    const before = JSON.parse(groups[0][0].value.toString()).id;
    d.reset();
    now += 1;
    await d.dispatch([task('a')]);
    expect(JSON.parse(groups[groups.length - 1][0].value.toString()).id).toBe(before);
  });

  it("puts the task's kept traceparent on the queued event and the run command, and none when it has none", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await d.dispatch([
      { ...task('traced'), traceparent },
      { ...task('plain'), traceparent: null },
    ]);
    const [traced, plain] = groups.slice(-2);
    for (const record of traced) expect(record.headers?.traceparent).toBe(traceparent);
    for (const record of plain) expect(record.headers).not.toHaveProperty('traceparent');
  });
});
