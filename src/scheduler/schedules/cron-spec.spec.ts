import { TasklogError } from '../../common/errors';
import { CronSpec } from './cron-spec';

const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());
const t = (s: string) => Date.parse(s);

describe('CronSpec', () => {
  describe('in a time zone', () => {
    it('fires a daily 02:00 at 02:00 Berlin time (01:00 UTC in winter, 00:00 UTC in summer)', () => {
      const spec = new CronSpec('0 2 * * *', 'Europe/Berlin');
      expect(new Date(spec.next(t('2026-01-10T12:00:00Z'))).toISOString()).toBe('2026-01-11T01:00:00.000Z');
      expect(new Date(spec.next(t('2026-07-10T12:00:00Z'))).toISOString()).toBe('2026-07-11T00:00:00.000Z');
    });

    it('fires the same expression at different instants in different zones', () => {
      const after = t('2026-01-10T12:00:00Z');
      expect(new Date(new CronSpec('0 9 * * *', 'America/New_York').next(after)).toISOString()).toBe('2026-01-10T14:00:00.000Z');
      expect(new Date(new CronSpec('0 9 * * *', 'Asia/Tokyo').next(after)).toISOString()).toBe('2026-01-11T00:00:00.000Z');
    });
  });

  describe('on the spring-forward day (02:00 -> 03:00 in Berlin, 2026-03-29)', () => {
    it('fires a 02:30 schedule once, at the first time that exists', () => {
      const { fires } = new CronSpec('30 2 * * *', 'Europe/Berlin').between(t('2026-03-28T00:00:00Z'), t('2026-03-30T23:59:59Z'));
      expect(iso(fires)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
      const onTheDay = fires.filter((f) => new Date(f).toISOString().startsWith('2026-03-29'));
      expect(onTheDay).toHaveLength(1);
    });

    it('fires an hourly schedule 23 times that day', () => {
      const { fires } = new CronSpec('0 * * * *', 'Europe/Berlin').between(t('2026-03-28T22:59:59Z'), t('2026-03-29T21:59:59Z'));
      expect(fires).toHaveLength(23);
    });
  });

  describe('on the fall-back day (03:00 -> 02:00 in Berlin, 2026-10-25)', () => {
    it('fires a 02:30 schedule once, not at both 02:30s', () => {
      const { fires } = new CronSpec('30 2 * * *', 'Europe/Berlin').between(t('2026-10-24T00:00:00Z'), t('2026-10-26T23:59:59Z'));
      expect(iso(fires)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    });

    it('fires a daily 02:00 schedule once that day', () => {
      const { fires } = new CronSpec('0 2 * * *', 'Europe/Berlin').between(t('2026-10-24T22:00:00Z'), t('2026-10-25T21:59:59Z'));
      expect(fires).toHaveLength(1);
    });
  });

  describe('with seconds', () => {
    it('fires every second for a six-field expression', () => {
      const { fires } = new CronSpec('*/1 * * * * *', 'UTC').between(t('2026-01-01T00:00:00Z'), t('2026-01-01T00:00:05Z'));
      expect(fires).toHaveLength(5);
    });
  });

  describe('between', () => {
    it('stops at the cap and says it did', () => {
      const r = new CronSpec('* * * * *', 'UTC').between(t('2026-01-01T00:00:00Z'), t('2026-01-02T00:00:00Z'), 10);
      expect(r.fires).toHaveLength(10);
      expect(r.truncated).toBe(true);
    });
  });

  describe('when the input is wrong', () => {
    it('names the bad cron expression', () => {
      expect(() => new CronSpec('61 * * * *', 'UTC')).toThrow(/bad cron expression "61 \* \* \* \*"/);
      expect(() => new CronSpec('every day', 'UTC')).toThrow(TasklogError);
    });

    it('names the unknown time zone', () => {
      expect(() => new CronSpec('0 2 * * *', 'Mars/Olympus')).toThrow(/unknown time zone "Mars\/Olympus"/);
    });
  });
});
