import { planFires, SkipReason } from './fire-plan';
import { MisfirePolicy, OverlapPolicy } from './misfire-policy';

const MIN = 60_000;
const now = 100 * MIN;
// Fires every minute during a 5-minute outage that ended just now: 96..100 minutes.
const backlog = [96, 97, 98, 99, 100].map((m) => m * MIN);

function plan(misfire: MisfirePolicy, pending = backlog, overlap: OverlapPolicy = 'allow', previousRunActive = false) {
  return planFires({ pending, now, misfire, overlap, previousRunActive, onTimeMs: 5000 });
}

describe('planFires', () => {
  describe('after an outage, with catchUp one (the default)', () => {
    it('runs the latest fire within grace once and skips the others as coalesced or misfired', () => {
      const p = plan({ graceMs: 2.5 * MIN, catchUp: 'one' });
      expect(p.run).toEqual([100 * MIN]);
      expect(p.skipped).toEqual([
        { at: 96 * MIN, reason: SkipReason.MISFIRE },
        { at: 97 * MIN, reason: SkipReason.MISFIRE },
        { at: 98 * MIN, reason: SkipReason.COALESCED },
        { at: 99 * MIN, reason: SkipReason.COALESCED },
      ]);
    });
  });

  describe('after an outage, with catchUp all', () => {
    it('runs every fire within grace', () => {
      const p = plan({ graceMs: 2.5 * MIN, catchUp: 'all' });
      expect(p.run).toEqual([98, 99, 100].map((m) => m * MIN));
      expect(p.skipped.map((s) => s.reason)).toEqual([SkipReason.MISFIRE, SkipReason.MISFIRE]);
    });
  });

  describe('after an outage, with catchUp skip', () => {
    it('runs none of the backlog', () => {
      const p = plan({ graceMs: 10 * MIN, catchUp: 'skip' });
      expect(p.run).toEqual([]);
      expect(p.skipped.map((s) => s.reason)).toEqual(Array(5).fill(SkipReason.CATCH_UP_SKIPPED));
    });

    it('still runs an ordinary on-time fire', () => {
      const p = planFires({
        pending: [now - 1000],
        now,
        misfire: { graceMs: MIN, catchUp: 'skip' },
        overlap: 'allow',
        previousRunActive: false,
        onTimeMs: 5000,
      });
      expect(p.run).toEqual([now - 1000]);
    });
  });

  describe('when every pending fire is past grace', () => {
    it('runs nothing, whatever the catch-up policy', () => {
      for (const catchUp of ['skip', 'one', 'all'] as const) {
        const p = plan({ graceMs: 1000, catchUp }, [90 * MIN]);
        expect(p.run).toEqual([]);
        expect(p.skipped).toEqual([{ at: 90 * MIN, reason: SkipReason.MISFIRE }]);
      }
    });
  });

  describe('overlap', () => {
    const pending = [now - 1000];
    const misfire: MisfirePolicy = { graceMs: MIN, catchUp: 'all' };
    it('skip: skips a fire while the previous run is active', () => {
      expect(plan(misfire, pending, 'skip', true)).toEqual({ run: [], skipped: [{ at: now - 1000, reason: SkipReason.OVERLAP }] });
    });
    it('skip: runs it when the previous run has ended', () => {
      expect(plan(misfire, pending, 'skip', false).run).toEqual(pending);
    });
    it('skip: runs only the first of several fires in one evaluation', () => {
      const p = plan({ graceMs: 10 * MIN, catchUp: 'all' }, [99 * MIN, 100 * MIN], 'skip', false);
      expect(p.run).toEqual([99 * MIN]);
      expect(p.skipped).toEqual([{ at: 100 * MIN, reason: SkipReason.OVERLAP }]);
    });
    it('allow and queue: run a fire while the previous run is active (queue serialises by concurrency key)', () => {
      expect(plan(misfire, pending, 'allow', true).run).toEqual(pending);
      expect(plan(misfire, pending, 'queue', true).run).toEqual(pending);
    });
  });
});
