export interface RetryOptions {
  initialMs: number;
  maxMs: number;
  /** Checked after each failure (the first attempt always runs); when true, the error is thrown. */
  stop?: () => boolean;
  /** Called after each failed attempt with the error and the delay before the next one. */
  onError?: (error: Error, retryInMs: number) => void;
}

/** Runs `fn` until it succeeds, doubling the pause between attempts up to `maxMs`. */
export async function retryWithBackoff<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let delay = o.initialMs; ; delay = Math.min(delay * 2, o.maxMs)) {
    try {
      return await fn();
    } catch (e) {
      if (o.stop?.()) throw e;
      o.onError?.(e as Error, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
