interface Waiter {
  grant: () => void;
}

/**
 * Counts free slots. Waiters queue per class (a priority lane), FIFO within a class; a freed
 * slot goes to a class by smooth weighted round-robin over the classes that have waiters, so
 * under saturation a class with weight 6 gets 6 slots for every 1 of a class with weight 1,
 * and no class with waiters starves.
 */
export class Semaphore {
  private readonly queues = new Map<string, Waiter[]>();
  private readonly current = new Map<string, number>();
  /** Waiters across all classes, counted rather than summed on every acquire. */
  private queued = 0;

  constructor(
    private free: number,
    private readonly weights: Record<string, number> = {},
  ) {}

  /** Resolves with a slot, or rejects (taking no slot) when `signal` aborts first: a stopping consumer starts nothing more. */
  async acquire(signal?: AbortSignal, cls = 'default'): Promise<void> {
    signal?.throwIfAborted();
    if (this.free > 0 && this.waiting === 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const queue = this.queues.get(cls) ?? [];
        const i = queue.indexOf(waiter);
        if (i >= 0) {
          queue.splice(i, 1);
          this.queued -= 1;
        }
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let queue = this.queues.get(cls);
      if (!queue) this.queues.set(cls, (queue = []));
      queue.push(waiter);
      this.queued += 1;
      // A slot may be free while others wait (it was freed with nobody queued): hand it out now.
      if (this.free > 0) {
        this.free -= 1;
        this.next()!.grant();
      }
    });
  }

  release(): void {
    const next = this.next();
    if (next) next.grant();
    else this.free += 1;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queued;
  }

  /** Smooth weighted round-robin (as in nginx) over the classes with waiters. */
  private next(): Waiter | undefined {
    let best: string | null = null;
    let total = 0;
    for (const [cls, queue] of this.queues) {
      if (queue.length === 0) continue;
      const w = this.weights[cls] ?? 1;
      total += w;
      const c = (this.current.get(cls) ?? 0) + w;
      this.current.set(cls, c);
      if (best === null || c > this.current.get(best)!) best = cls;
    }
    if (best === null) return undefined;
    this.current.set(best, this.current.get(best)! - total);
    this.queued -= 1;
    return this.queues.get(best)!.shift();
  }
}
