/**
 * Spaces calls at least `intervalMs` apart, in the order they asked. Used for CloudTrail LookupEvents, which
 * allows two requests per second per account and region and throttles beyond that.
 * Time and sleep are injected so tests run instantly and deterministically.
 */
export interface RateLimiter {
  /** Resolves when the caller may make its call. */
  acquire(): Promise<void>;
}

export interface RateLimiterOptions {
  readonly intervalMs: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let nextSlot = Number.NEGATIVE_INFINITY;
  return {
    async acquire() {
      const at = Math.max(now(), nextSlot);
      nextSlot = at + options.intervalMs;
      const wait = at - now();
      if (wait > 0) await sleep(wait);
    },
  };
}
