import { ProgressReporter } from './progress.reporter';

describe('ProgressReporter', () => {
  let now = 0;
  beforeEach(() => {
    jest.useFakeTimers();
    now = 1000;
  });
  afterEach(() => jest.useRealTimers());

  it('sends the first update at once and merges the burst that follows into one', () => {
    const sent: unknown[] = [];
    const r = new ProgressReporter(
      250,
      (u) => sent.push(u),
      () => now,
    );
    r.update({ processed: 1, total: 100 });
    for (let i = 2; i <= 50; i++) r.update({ processed: i });
    r.update({ message: 'half way' });
    expect(sent).toEqual([{ processed: 1, total: 100 }]);
    now += 250;
    jest.advanceTimersByTime(250);
    expect(sent).toEqual([
      { processed: 1, total: 100 },
      { processed: 50, message: 'half way' },
    ]);
  });

  it('flush sends what is pending so the final figure is never lost', () => {
    const sent: unknown[] = [];
    const r = new ProgressReporter(
      10_000,
      (u) => sent.push(u),
      () => now,
    );
    r.update({ processed: 1 });
    r.update({ processed: 9 });
    r.flush();
    expect(sent).toEqual([{ processed: 1 }, { processed: 9 }]);
  });
});
