import { describe, expect, it } from "vitest";
import { createSharedRateLimiter, MemorySlotStore, RateBudgetExhaustedError } from "../../src/store/rate-limit";

/** A virtual clock: `sleep` advances it, so waits cost no wall time and the slots are exact. */
function virtualTime(start = 1_000_000) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => void (t = Math.max(t, t + ms)), at: () => t };
}

describe("shared rate limiter (CloudTrail budget across Lambdas)", () => {
  it("two workers sharing one budget get slots 500 ms apart between them", async () => {
    const slots = new MemorySlotStore();
    const times: number[] = [];
    // Each worker has its own clock view of the same instant (separate Lambdas); the store is the shared part.
    const make = () => {
      const v = virtualTime();
      const limiter = createSharedRateLimiter({
        slots,
        key: "cloudtrail#us-east-1",
        intervalMs: 500,
        maxWaitMs: 20_000,
        ...v,
      });
      return async () => {
        await limiter.acquire();
        times.push(v.at());
      };
    };
    const [a, b] = [make(), make()];
    for (let i = 0; i < 5; i++) await Promise.all([a(), b()]);
    const sorted = [...times].sort((x, y) => x - y);
    expect(sorted).toHaveLength(10);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(500);
  });

  it("gives up, saying so, when the next free slot is beyond its patience", async () => {
    const slots = new MemorySlotStore();
    const v = virtualTime();
    await slots.write("cloudtrail#us-east-1", v.now() + 60_000, 0, 0);
    const limiter = createSharedRateLimiter({
      slots,
      key: "cloudtrail#us-east-1",
      intervalMs: 500,
      maxWaitMs: 20_000,
      ...v,
    });
    await expect(limiter.acquire()).rejects.toThrow(RateBudgetExhaustedError);
    await expect(limiter.acquire()).rejects.toThrow(/taken by other diagnoses for the next 60 s; not read/);
  });
});
