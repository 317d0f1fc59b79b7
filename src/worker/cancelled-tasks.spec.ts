import { CancelledTasks } from './cancelled-tasks';

const id = (n: number) => `01a2085c-6789-74fa-ac49-${String(n).padStart(12, '0')}`;
const signal = (n: number, attempt: number) => ({ taskId: id(n), tenantId: 'acme', attempt, reason: 'stop' });

describe('CancelledTasks', () => {
  it('covers commands of the cancelled attempts published before the cancel', () => {
    const c = new CancelledTasks();
    c.add(signal(1, 2), 1000);
    expect(c.covers(id(1), 2, 999)).toBe('stop');
    expect(c.covers(id(1), 1, 1000)).toBe('stop');
    expect(c.covers(id(2), 1, 999)).toBeNull();
  });

  it('lets a later attempt or a command published after the cancel (a manual retry) run', () => {
    const c = new CancelledTasks();
    c.add(signal(1, 1), 1000);
    expect(c.covers(id(1), 2, 999)).toBeNull();
    expect(c.covers(id(1), 1, 1001)).toBeNull();
  });

  it('stays within its capacity, forgetting the oldest', () => {
    const c = new CancelledTasks(3);
    for (let i = 1; i <= 5; i++) c.add(signal(i, 1), 1000);
    expect(c.size).toBe(3);
    expect(c.covers(id(1), 1, 0)).toBeNull();
    expect(c.covers(id(5), 1, 0)).toBe('stop');
  });
});
