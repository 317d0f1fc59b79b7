import { sleep } from './util';

/** How many sends are due `elapsedMs` into a run at `ratePerSec` (the first one at 0 ms). */
export function dueCount(elapsedMs: number, ratePerSec: number): number {
  if (elapsedMs < 0) return 0;
  return Math.floor((elapsedMs * ratePerSec) / 1000) + 1;
}

export interface PaceResult {
  sent: number;
  /** Wall time from the first send to the last. */
  seconds: number;
  /** Largest number of sends one tick had to catch up on (timer lateness shows here). */
  maxBurst: number;
  /**
   * Largest delay of a send behind its slot on the clock. Latencies measured from the actual
   * enqueue call do not include it (coordinated omission), so it is reported beside them.
   */
  maxLateMs: number;
}

/**
 * Calls `send(i)` at a fixed rate for `seconds`: a timer ticks every `tickMs` and fires the
 * sends that are due by the clock, so a late tick catches up instead of slowing the rate.
 * `send` is not awaited; the caller tracks its promises.
 */
export async function pace(ratePerSec: number, seconds: number, send: (i: number) => void, tickMs = 2): Promise<PaceResult> {
  const total = Math.round(ratePerSec * seconds);
  const start = performance.now();
  let sent = 0;
  let maxBurst = 0;
  let maxLateMs = 0;
  while (sent < total) {
    const elapsed = performance.now() - start;
    const due = Math.min(total, dueCount(elapsed, ratePerSec));
    maxBurst = Math.max(maxBurst, due - sent);
    if (due > sent) maxLateMs = Math.max(maxLateMs, elapsed - (sent * 1000) / ratePerSec);
    while (sent < due) send(sent++);
    if (sent < total) await sleep(tickMs);
  }
  return { sent, seconds: (performance.now() - start) / 1000, maxBurst, maxLateMs: Math.round(maxLateMs) };
}
