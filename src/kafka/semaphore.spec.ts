import { Semaphore } from './semaphore';

describe('Semaphore', () => {
  it('hands slots out in arrival order', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const order: number[] = [];
    const a = s.acquire().then(() => order.push(1));
    const b = s.acquire().then(() => order.push(2));
    s.release();
    await a;
    s.release();
    await b;
    expect(order).toEqual([1, 2]);
  });

  it('a waiter whose signal aborts leaves the queue without taking a slot', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const stop = new AbortController();
    const waiting = s.acquire(stop.signal);
    stop.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    expect(s.waiting).toBe(0);
    s.release();
    // The freed slot was not given to the aborted waiter: it is free for the next one at once.
    await s.acquire();
  });

  it('shares slots between classes by weight when all wait, and starves none', async () => {
    const s = new Semaphore(1, { high: 6, normal: 3, low: 1 });
    await s.acquire();
    const order: string[] = [];
    const all: Promise<unknown>[] = [];
    for (const cls of ['low', 'normal', 'high']) {
      for (let i = 0; i < 20; i++) all.push(s.acquire(undefined, cls).then(() => order.push(cls)));
    }
    for (let i = 0; i < 60; i++) {
      s.release();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    const firstTen = order.slice(0, 10);
    expect(['high', 'normal', 'low'].map((c) => firstTen.filter((x) => x === c).length)).toEqual([6, 3, 1]);
    expect(order.filter((x) => x === 'low')).toHaveLength(20);
  });
});
