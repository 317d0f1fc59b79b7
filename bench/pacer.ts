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
  while (sent < total) {
    const due = Math.min(total, dueCount(performance.now() - start, ratePerSec));
    maxBurst = Math.max(maxBurst, due - sent);
    while (sent < due) send(sent++);
    if (sent < total) await sleep(tickMs);
  }
  return { sent, seconds: (performance.now() - start) / 1000, maxBurst };
}
