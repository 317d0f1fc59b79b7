import { retryWithBackoff } from './retry';

describe('retryWithBackoff', () => {
  it('retries until the call succeeds, reporting each failure and growing delays', async () => {
    let calls = 0;
    const delays: number[] = [];
    const result = await retryWithBackoff(
      async () => {
        calls += 1;
        if (calls < 4) throw new Error(`fail ${calls}`);
        return 'ok';
      },
      { initialMs: 1, maxMs: 3, onError: (_e, d) => delays.push(d) },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([1, 2, 3]);
  });

  it('gives up with the last error once told to stop', async () => {
    let stop = false;
    const run = retryWithBackoff(
      async () => {
        stop = true;
        throw new Error('broker down');
      },
      { initialMs: 1, maxMs: 1, stop: () => stop },
    );
    await expect(run).rejects.toThrow('broker down');
  });
});
