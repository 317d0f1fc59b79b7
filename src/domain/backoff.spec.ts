import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it.each([
    ['fixed', { type: 'fixed' as const, delayMs: 500 }, [1, 2, 5], [500, 500, 500]],
    ['exponential at the top of its jitter', { type: 'exponential' as const, delayMs: 100 }, [1, 2, 3, 4], [100, 200, 400, 800]],
    ['exponential under its cap', { type: 'exponential' as const, delayMs: 100, maxDelayMs: 300 }, [1, 3, 30, 1000], [100, 300, 300, 300]],
  ])('%s', (_name, backoff, attempts, expected) => {
    expect(attempts.map((a) => backoffDelay(a, backoff, () => 1))).toEqual(expected);
  });

  it('draws exponential waits from the upper half, never earlier', () => {
    const b = { type: 'exponential' as const, delayMs: 1000 };
    expect(backoffDelay(3, b, () => 0)).toBe(2000);
    expect(backoffDelay(3, b, () => 0.5)).toBe(3000);
  });
});
