import { describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/collect/rate-limiter";

/** A limiter on a virtual clock: sleeping advances time; returns when each acquire was granted. */
async function grants(burst: number | undefined, calls: number, intervalMs = 500): Promise<number[]> {
  let t = 0;
  const limiter = createRateLimiter({
    intervalMs,
    ...(burst === undefined ? {} : { burst }),
    now: () => t,
    sleep: async (ms) => {
      t = Math.max(t, ms + t);
    },
  });
  const at: number[] = [];
  for (let i = 0; i < calls; i++) {
    const asked = t;
    await limiter.acquire();
    at.push(t);
    t = asked; // every call asked at the same moment (concurrent diagnoses)
    t = Math.max(t, at[at.length - 1]!);
  }
  return at;
}

describe("CloudTrail limiter", () => {
  it("a burst of 2, then one call every 500 ms (2/s)", async () => {
    expect(await grants(2, 6)).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it("without a burst, calls are spaced from the first", async () => {
    expect(await grants(undefined, 3)).toEqual([0, 500, 1000]);
  });

  it("is shared: concurrent callers are granted in the order they asked", async () => {
    let t = 0;
    const sleeps: Array<() => void> = [];
    const limiter = createRateLimiter({
      intervalMs: 500,
      burst: 2,
      now: () => t,
      sleep: (ms) => new Promise<void>((resolve) => sleeps.push(() => ((t = Math.max(t, ms)), resolve()))),
    });
    const order: string[] = [];
    const calls = ["a", "b", "c", "d"].map((id) => limiter.acquire().then(() => order.push(id)));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(["a", "b"]);
    for (const wake of sleeps) wake();
    await Promise.all(calls);
    expect(order).toEqual(["a", "b", "c", "d"]);
  });
});
