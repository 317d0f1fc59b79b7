import { OffsetTracker } from './offset-tracker';

describe('OffsetTracker', () => {
  it('commits nothing past a message that is still running', () => {
    const t = new OffsetTracker();
    [10, 11, 12].forEach((o) => t.track(o));
    t.finish(12);
    t.finish(11);
    expect(t.committable()).toBe(10);
    t.finish(10);
    expect(t.committable()).toBe(13);
    expect(t.inFlight).toBe(0);
  });

  it('skips offset gaps left by transaction markers', () => {
    const t = new OffsetTracker();
    [0, 3, 7].forEach((o) => t.track(o));
    t.finish(0);
    expect(t.committable()).toBe(3);
    t.finish(7);
    t.finish(3);
    expect(t.committable()).toBe(8);
  });

  it('has nothing to commit before the first message', () => {
    expect(new OffsetTracker().committable()).toBeNull();
  });

  it('keeps working after many finished messages', () => {
    const t = new OffsetTracker();
    for (let i = 0; i < 5000; i++) t.track(i);
    for (let i = 4999; i >= 1; i--) t.finish(i);
    expect(t.committable()).toBe(0);
    t.finish(0);
    expect(t.committable()).toBe(5000);
  });
});

describe('OffsetTracker behind a message that never finishes', () => {
  it('counts the finished offsets it holds back, so the consumer can stop tracking more', () => {
    const t = new OffsetTracker();
    for (let i = 0; i < 10; i++) t.track(i);
    for (let i = 1; i < 10; i++) t.finish(i);
    // Offset 0 pins the commit point: all ten stay held until it finishes.
    expect(t.committable()).toBe(0);
    expect(t.inFlight).toBe(10);
    t.finish(0);
    expect(t.inFlight).toBe(0);
    expect(t.committable()).toBe(10);
  });
});
