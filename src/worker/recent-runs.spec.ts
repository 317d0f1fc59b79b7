import { RecentRuns } from './recent-runs';

describe('RecentRuns', () => {
  it('refuses a second claim of one attempt, not the next attempt of the task', () => {
    const r = new RecentRuns();
    expect(r.claim('t1', 1)).toBe(true);
    expect(r.claim('t1', 1)).toBe(false);
    expect(r.claim('t1', 2)).toBe(true);
  });

  it('stays within its capacity, dropping the least recently seen pair', () => {
    const r = new RecentRuns(2);
    r.claim('a', 1);
    r.claim('b', 1);
    r.claim('a', 1); // seen again: now the most recent
    r.claim('c', 1);
    expect(r.size).toBe(2);
    expect(r.claim('a', 1)).toBe(false);
    expect(r.claim('b', 1)).toBe(true);
  });

  it('lets a forgotten (handed back) attempt be claimed again', () => {
    const r = new RecentRuns();
    r.claim('t1', 1);
    r.forget('t1', 1);
    expect(r.claim('t1', 1)).toBe(true);
  });
});
