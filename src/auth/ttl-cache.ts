/**
 * A small map whose entries go stale after `ttlMs` but stay readable as a fallback; when full it
 * starts over rather than grow without bound (bad keys sent at random must not fill memory).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value while fresh, else undefined. */
  fresh(key: string): V | undefined {
    const e = this.entries.get(key);
    return e && this.now() - e.at < this.ttlMs ? e.value : undefined;
  }

  /** The value however old (used when the source cannot be asked). */
  stale(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, { value, at: this.now() });
  }
}
