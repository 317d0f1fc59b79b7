import { JsonLogger } from '../common/logger';
import { KeyOrderedRuns } from './key-ordered-runs';

function deferred() {
  let resolve!: (v: boolean) => void;
  const promise = new Promise<boolean>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyOrderedRuns', () => {
  it('runs work with the same key one after another in order, and other work at once', async () => {
    const runs = new KeyOrderedRuns();
    const started: string[] = [];
    const a1 = deferred();
    const a2 = deferred();
    runs.schedule(
      'p:0',
      'a',
      () => (started.push('a1'), a1.promise),
      () => undefined,
    );
    runs.schedule(
      'p:1',
      'a',
      () => (started.push('a2'), a2.promise),
      () => undefined,
    );
    runs.schedule(
      'p:2',
      'b',
      () => (started.push('b1'), Promise.resolve(true)),
      () => undefined,
    );
    runs.schedule(
      'p:3',
      null,
      () => (started.push('none'), Promise.resolve(true)),
      () => undefined,
    );
    await tick();
    expect(started).toEqual(['a1', 'b1', 'none']);
    a1.resolve(true);
    await tick();
    expect(started).toEqual(['a1', 'b1', 'none', 'a2']);
    a2.resolve(true);
  });

  it('lists a run by its key until it settles, then calls settled', async () => {
    const runs = new KeyOrderedRuns();
    const d = deferred();
    const settled = jest.fn();
    const work = runs.schedule('p:0', null, () => d.promise, settled);
    expect(runs.get('p:0')).toBe(work);
    expect(runs.size).toBe(1);
    d.resolve(true);
    await expect(work).resolves.toBe(true);
    expect(settled).toHaveBeenCalledTimes(1);
    expect(runs.get('p:0')).toBeUndefined();
    expect(runs.size).toBe(0);
  });

  it('at drain calls onGraceExpired once when work outlasts the grace, and returns once it settles', async () => {
    const runs = new KeyOrderedRuns();
    const d = deferred();
    runs.schedule(
      'p:0',
      null,
      () => d.promise,
      () => undefined,
    );
    const onGraceExpired = jest.fn(() => d.resolve(false));
    const t0 = Date.now();
    await runs.drain({ graceMs: 50, onGraceExpired, abandonMs: 5000 }, new JsonLogger('error'), 'g');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(onGraceExpired).toHaveBeenCalledTimes(1);
    expect(runs.size).toBe(0);
  });

  it('at drain does not call onGraceExpired when work ends within the grace', async () => {
    const runs = new KeyOrderedRuns();
    runs.schedule(
      'p:0',
      null,
      () => new Promise((r) => setTimeout(() => r(true), 10)),
      () => undefined,
    );
    const onGraceExpired = jest.fn();
    await runs.drain({ graceMs: 5000, onGraceExpired }, new JsonLogger('error'), 'g');
    expect(onGraceExpired).not.toHaveBeenCalled();
    expect(runs.size).toBe(0);
  });
});
