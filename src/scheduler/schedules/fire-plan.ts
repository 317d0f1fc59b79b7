import { MisfirePolicy, OverlapPolicy } from './misfire-policy';

export const SkipReason = {
  /** Later than the schedule's grace. */
  MISFIRE: 'misfire',
  /** Folded into a later fire of the same backlog (`catchUp: 'one'`). */
  COALESCED: 'coalesced',
  /** Part of a backlog under `catchUp: 'skip'`. */
  CATCH_UP_SKIPPED: 'catch-up-skipped',
  /** The previous run had not finished (`overlap: 'skip'`). */
  OVERLAP: 'overlap',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

export interface FirePlan {
  run: number[];
  skipped: { at: number; reason: SkipReason }[];
}

/**
 * Decides which pending fires run. Pure: the leader feeds it the fires due since its cursor,
 * the time now, the policies and whether the last run is still going.
 *
 * `onTimeMs` is the lateness an ordinary tick adds (the evaluation interval and some slack):
 * a single fire that late is not a backlog, so `catchUp: 'skip'` still runs it.
 */
export function planFires(input: {
  pending: number[];
  now: number;
  misfire: MisfirePolicy;
  overlap: OverlapPolicy;
  previousRunActive: boolean;
  onTimeMs: number;
}): FirePlan {
  const { pending, now, misfire, overlap } = input;
  const plan: FirePlan = { run: [], skipped: [] };
  const inGrace: number[] = [];
  for (const at of pending) {
    if (now - at > misfire.graceMs) plan.skipped.push({ at, reason: SkipReason.MISFIRE });
    else inGrace.push(at);
  }
  let chosen: number[];
  if (misfire.catchUp === 'all') chosen = inGrace;
  else if (misfire.catchUp === 'one') {
    chosen = inGrace.slice(-1);
    for (const at of inGrace.slice(0, -1)) plan.skipped.push({ at, reason: SkipReason.COALESCED });
  } else {
    const backlog = pending.length > 1 || inGrace.some((at) => now - at > input.onTimeMs);
    chosen = backlog ? [] : inGrace;
    if (backlog) for (const at of inGrace) plan.skipped.push({ at, reason: SkipReason.CATCH_UP_SKIPPED });
  }
  let active = input.previousRunActive;
  for (const at of chosen) {
    if (overlap === 'skip' && active) plan.skipped.push({ at, reason: SkipReason.OVERLAP });
    else plan.run.push(at);
    active = true;
  }
  plan.skipped.sort((a, b) => a.at - b.at);
  return plan;
}
