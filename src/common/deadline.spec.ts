import { withDeadline } from './deadline';

describe('withDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('gives the result of work that settles in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 100, 'x')).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('boom')), 100, 'x')).rejects.toThrow('boom');
  });

  it('rejects naming what did not answer once the deadline passes', async () => {
    const hanging = withDeadline(new Promise(() => undefined), 1500, 'Postgres');
    jest.advanceTimersByTime(1500);
    await expect(hanging).rejects.toThrow('Postgres did not answer within 1500 ms');
  });
});
