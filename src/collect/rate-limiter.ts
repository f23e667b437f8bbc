/**
 * Spaces calls `intervalMs` apart after an initial burst, in the order they asked (GCRA: the burst is spent at
 * once, then one call per interval). Used for CloudTrail LookupEvents, which allows two requests per second per
 * account and region and throttles beyond that: a burst of 2, then one every 500 ms.
 * Time and sleep are injected so tests run instantly and deterministically.
 */
export interface RateLimiter {
  /** Resolves when the caller may make its call. */
  acquire(): Promise<void>;
}

export interface RateLimiterOptions {
  readonly intervalMs: number;
  /** Calls allowed at once before the spacing applies. @default 1 */
  readonly burst?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // The theoretical arrival time: a call may go at `tat - tolerance` at the earliest.
  const tolerance = (Math.max(1, options.burst ?? 1) - 1) * options.intervalMs;
  let tat = Number.NEGATIVE_INFINITY;
  return {
    async acquire() {
      const t = now();
      const at = Math.max(t, tat - tolerance);
      tat = Math.max(tat, at) + options.intervalMs;
      const wait = at - t;
      if (wait > 0) await sleep(wait);
    },
  };
}
