interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * Collects items from many callers and hands them to `flush` in batches, one flush at a
 * time, in arrival order. Callers that arrive while a flush runs share the next one, so
 * load raises batch size instead of request count (group commit).
 */
export class BatchQueue<T> {
  private queue: Pending<T>[] = [];
  private flushing = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch: number,
    /** Caps a batch by bytes too (a batch always takes at least one item). */
    private readonly bytes?: { sizeOf: (item: T) => number; max: () => number },
  ) {}

  push(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const done = Promise.all(items.map((item) => new Promise<void>((resolve, reject) => this.queue.push({ item, resolve, reject })))).then(
      () => undefined,
    );
    if (!this.flushing) this.idle = this.drain();
    return done;
  }

  get size(): number {
    return this.queue.length;
  }

  /** Resolves once everything pushed so far has been flushed or failed. */
  async drained(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await this.idle;
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      // Let callers in the same tick join the first batch.
      await new Promise((r) => setImmediate(r));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.takeCount());
        try {
          await this.flush(batch.map((p) => p.item));
          for (const p of batch) p.resolve();
        } catch (e) {
          for (const p of batch) p.reject(e as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private takeCount(): number {
    const limit = Math.min(this.maxBatch, this.queue.length);
    if (!this.bytes) return limit;
    let total = 0;
    for (let n = 0; n < limit; n++) {
      total += this.bytes.sizeOf(this.queue[n].item);
      if (total > this.bytes.max()) return Math.max(1, n);
    }
    return limit;
  }
}
