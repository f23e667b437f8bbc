import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LatestOnlyThrottle } from "../../src/slack/throttle";

describe("LatestOnlyThrottle", () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => vi.useRealTimers());

  it("sends the first value at once, then only the newest value per interval", async () => {
    const sent: number[] = [];
    const throttle = new LatestOnlyThrottle<number>(
      async (v) => void sent.push(v),
      1500,
      () => now,
    );
    throttle.push(1);
    for (const v of [2, 3, 4]) throttle.push(v);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([1]);
    now = 1500;
    await vi.advanceTimersByTimeAsync(1500);
    expect(sent).toEqual([1, 4]);
  });

  it("flush sends what is pending; cancel drops it", async () => {
    const sent: number[] = [];
    const throttle = new LatestOnlyThrottle<number>(
      async (v) => void sent.push(v),
      1500,
      () => now,
    );
    throttle.push(1);
    throttle.push(2);
    await throttle.flush();
    expect(sent).toEqual([1, 2]);
    throttle.push(3);
    await throttle.cancel();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual([1, 2]);
  });

  it("keeps going after a failed send", async () => {
    const sent: number[] = [];
    const throttle = new LatestOnlyThrottle<number>(
      async (v) => {
        if (v === 1) throw new Error("ratelimited");
        sent.push(v);
      },
      0,
      () => now,
    );
    throttle.push(1);
    throttle.push(2);
    await throttle.flush();
    expect(sent).toEqual([2]);
  });
});
