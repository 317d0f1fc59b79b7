import { RunCommand } from '../events';
import { CancelledTasks } from './cancelled-tasks';
import { StartGate } from './start-gate';

const now = Date.parse('2026-11-26T10:00:00.000Z');
const cmd = (extra: Partial<RunCommand> = {}): RunCommand => ({
  taskId: '01a2085c-6789-74fa-ac49-b0b014b196df',
  tenantId: 'acme',
  taskType: 'report.build',
  payload: null,
  attempt: 1,
  enqueuedAt: '2026-11-26T09:00:00.000Z',
  ...extra,
});

describe('StartGate', () => {
  it('runs a command no cancel covers and whose deadline has not passed', () => {
    const gate = new StartGate(new CancelledTasks(), () => now);
    expect(gate.check(cmd({ expiresAt: '2026-11-26T10:00:00.001Z' }), now - 10)).toBeNull();
  });

  it('turns a cancelled command into task.cancelled, with the id the API gave its own', () => {
    const cancelled = new CancelledTasks();
    cancelled.add({ taskId: cmd().taskId, tenantId: 'acme', attempt: 1, reason: 'not needed' }, now - 5);
    const gate = new StartGate(cancelled, () => now);
    const a = gate.check(cmd(), now - 10)!;
    expect(a).toMatchObject({ type: 'task.cancelled', attempt: 1, data: { reason: 'not needed', wasRunning: false } });
    expect(new StartGate(cancelled, () => now + 1000).check(cmd(), now - 10)!.id).toBe(a.id);
  });

  it('turns a command past its deadline into task.expired', () => {
    const gate = new StartGate(new CancelledTasks(), () => now);
    expect(gate.check(cmd({ expiresAt: '2026-11-26T10:00:00.000Z' }), now - 10)).toMatchObject({
      type: 'task.expired',
      data: { expiresAt: '2026-11-26T10:00:00.000Z' },
    });
  });
});
