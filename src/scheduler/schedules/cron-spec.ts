import { CronTime } from 'cron';
import { ErrorCode, TasklogError } from '../../common/errors';

/** Most fires a single computation returns (backfill, catch-up after a long outage). */
export const MAX_FIRES = 1000;

/**
 * A cron expression in an IANA time zone, parsed once by the `cron` package (the one
 * `@nestjs/schedule` runs on). Fire times come from its Luxon-based zone arithmetic, so a
 * 02:30 schedule fires once on the spring-forward day (at 03:00, the first time that exists)
 * and once on the fall-back day (at the first 02:30).
 *
 *   new CronSpec('0 2 * * *', 'Europe/Berlin').next(Date.now())
 */
export class CronSpec {
  private readonly time: CronTime;

  constructor(
    readonly cron: string,
    readonly timezone: string,
  ) {
    if (!isTimeZone(timezone)) {
      throw new TasklogError(ErrorCode.INVALID_SCHEDULE, `unknown time zone "${timezone}" (use an IANA name such as Europe/Berlin)`, {
        field: 'timezone',
        timezone,
      });
    }
    try {
      this.time = new CronTime(cron, timezone);
    } catch (e) {
      throw new TasklogError(ErrorCode.INVALID_SCHEDULE, `bad cron expression "${cron}": ${(e as Error).message}`, { field: 'cron', cron });
    }
  }

  /** The first fire strictly after `after` (epoch ms). */
  next(after: number): number {
    return this.time.getNextDateFrom(new Date(after), this.timezone).toMillis();
  }

  /** Fires in (from, to], at most `cap` of them; `truncated` says more were left out. */
  between(from: number, to: number, cap = MAX_FIRES): { fires: number[]; truncated: boolean } {
    const fires: number[] = [];
    for (let at = this.next(from); at <= to; at = this.next(at)) {
      if (fires.length === cap) return { fires, truncated: true };
      fires.push(at);
    }
    return { fires, truncated: false };
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}
