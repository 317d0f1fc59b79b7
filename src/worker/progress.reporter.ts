import { ProgressUpdate } from './task-context';

/**
 * Throttles progress: the first update goes out at once, later ones are merged and sent at
 * most once per interval (latest wins). `flush` sends what is pending, before the outcome.
 */
export class ProgressReporter {
  private pending: ProgressUpdate | null = null;
  private lastSent = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (update: ProgressUpdate) => void,
    private readonly now: () => number = Date.now,
  ) {}

  update(u: ProgressUpdate): void {
    this.pending = { ...this.pending, ...stripUndefined(u) };
    const wait = this.lastSent + this.intervalMs - this.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    const u = this.pending;
    this.pending = null;
    this.lastSent = this.now();
    this.send(u);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}

function stripUndefined(u: ProgressUpdate): ProgressUpdate {
  return Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) as ProgressUpdate;
}
