/** Counts free slots; `acquire` waits in FIFO order when none is free. */
export class Semaphore {
  private readonly waiters: { grant: () => void }[] = [];

  constructor(private free: number) {}

  /** Resolves with a slot, or rejects (taking no slot) when `signal` aborts first: a stopping consumer starts nothing more. */
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.free += 1;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }
}
