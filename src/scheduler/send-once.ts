import { OutMessage } from '../kafka';

/** How long a send is remembered: longer than the projection takes to show it. */
const REMEMBER_MS = 60_000;

/**
 * What the scheduler leader sends for due rows (queued attempts, expiries): each (task, attempt)
 * once while the projection catches up and still shows the row as due, one group commit per
 * item. The records' event ids derive from (task, attempt), so a repeat after failover, when
 * this memory starts empty, adds no second history row.
 */
export class SendOnce<T extends { id: string; attempt: number }> {
  private readonly sent = new Map<string, number>();

  constructor(
    private readonly publish: (group: OutMessage[]) => Promise<void>,
    private readonly now: () => number,
    private readonly build: (item: T, at: string) => OutMessage[],
  ) {}

  /** Sends the items not sent yet (one per key, even when repeated in `items`); resolves with how many went out. */
  async send(items: T[]): Promise<number> {
    const now = this.now();
    for (const [k, at] of this.sent) if (now - at > REMEMBER_MS) this.sent.delete(k);
    const fresh = new Map<string, T>();
    for (const item of items) {
      const key = `${item.id}:${item.attempt}`;
      if (!this.sent.has(key) && !fresh.has(key)) fresh.set(key, item);
    }
    const at = new Date(now).toISOString();
    await Promise.all(
      [...fresh].map(async ([key, item]) => {
        this.sent.set(key, now);
        try {
          await this.publish(this.build(item, at));
        } catch (e) {
          this.sent.delete(key);
          throw e;
        }
      }),
    );
    return fresh.size;
  }

  /** How many of the items (one per key) have not been sent yet. */
  unsent(items: T[]): number {
    return new Set(items.map((i) => `${i.id}:${i.attempt}`).filter((k) => !this.sent.has(k))).size;
  }

  /** Forgets what was sent (a new leadership starts from the projection alone). */
  reset(): void {
    this.sent.clear();
  }
}
