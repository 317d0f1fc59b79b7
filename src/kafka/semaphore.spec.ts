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
});
