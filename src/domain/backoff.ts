import { TaskBackoff } from './task-state';

/** The longest wait between attempts when a backoff names no cap of its own. */
export const DEFAULT_MAX_BACKOFF_MS = 3600_000;

/**
 * Milliseconds to wait after a failed `attempt` (1-based) before the next one. Exponential
 * backoff doubles from `delayMs` up to the cap, with "equal jitter": the wait is drawn from
 * [d/2, d], so many tasks failing together do not retry in one wave, and none retries early.
 */
export function backoffDelay(attempt: number, backoff: TaskBackoff, random: () => number = Math.random): number {
  const cap = backoff.maxDelayMs ?? DEFAULT_MAX_BACKOFF_MS;
  if (backoff.type === 'fixed') return Math.min(backoff.delayMs, cap);
  const d = Math.min(backoff.delayMs * 2 ** Math.min(attempt - 1, 40), cap);
  return Math.round(d / 2 + random() * (d / 2));
}
