import { CountDeltas } from './task-counts';

describe('CountDeltas', () => {
  const task = (status: string, type = 'a') => ({ tenantId: 't', type, status, priority: 5 });

  it('nets the moves of a batch and leaves out counters that did not change', () => {
    const d = new CountDeltas();
    d.move(null, task('queued'));
    d.move(task('queued'), task('running'));
    d.move(task('running'), task('completed'));
    d.move(task('queued', 'b'), task('running', 'b'));
    expect(d.rows()).toEqual([
      { tenant_id: 't', type: 'a', status: 'completed', priority: 5, n: 1 },
      { tenant_id: 't', type: 'b', status: 'queued', priority: 5, n: -1 },
      { tenant_id: 't', type: 'b', status: 'running', priority: 5, n: 1 },
    ]);
  });

  it('orders the same keys the same way whatever order they came in', () => {
    const one = new CountDeltas();
    const two = new CountDeltas();
    one.add(task('x', 'b'));
    one.add(task('x', 'a'));
    two.add(task('x', 'a'));
    two.add(task('x', 'b'));
    expect(one.rows()).toEqual(two.rows());
  });
});
