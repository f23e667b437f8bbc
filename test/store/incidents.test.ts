import { describe, expect, it } from "vitest";
import {
  applySignal,
  fingerprintOf,
  incidentJobId,
  MemoryIncidentStore,
  transition,
  type IncidentInfo,
  type IncidentRecord,
  type SignalInput,
} from "../../src/store/incidents";

const FP = fingerprintOf(
  { account: "123456789012", region: "us-east-1", cluster: "prod", service: "payment-api" },
  "alarm#cpu",
);
const info: IncidentInfo = { source: "alarm", title: "cpu", cluster: "prod", service: "payment-api" };
const at = (min: number) => new Date(Date.UTC(2026, 10, 26, 10, min)).toISOString();
const sig = (state: "ALARM" | "OK", min: number, nowMin = min): SignalInput => ({
  state,
  at: at(min),
  now: at(nowMin),
  info,
});

/** Runs signals through the pure machine, returning the effects and the final record. */
function run(signals: SignalInput[], start?: IncidentRecord) {
  let record = start;
  const effects: string[] = [];
  for (const s of signals) {
    const out = transition(FP, record, s);
    effects.push(out.effect.kind);
    if (out.next) record = { ...out.next, version: (record?.version ?? 0) + 1 };
  }
  return { effects, record: record! };
}

describe("incident state machine", () => {
  it("first ALARM opens generation 1 with a job id; repeats count; OK resolves with the duration", () => {
    const { effects, record } = run([
      sig("ALARM", 0),
      sig("ALARM", 0),
      sig("ALARM", 1),
      sig("ALARM", 2),
      sig("OK", 25),
    ]);
    // The second is the same state change by another path (SNS and EventBridge): not a repeat.
    expect(effects).toEqual(["open", "ignore", "repeat", "repeat", "resolve"]);
    expect(record).toMatchObject({ state: "resolved", generation: 1, count: 3, openedAt: at(0), resolvedAt: at(25) });
    expect(record.jobId).toBe(incidentJobId(FP, 1));
    expect(record.jobId!.length).toBeLessThanOrEqual(200);
    expect(transition(FP, { ...record, state: "open", resolvedAt: undefined }, sig("OK", 25)).effect).toEqual({
      kind: "resolve",
      durationMs: 25 * 60_000,
    });
  });

  it("a thread reply at most every 5 minutes, and only once the post exists", () => {
    const opened = run([sig("ALARM", 0)]).record;
    expect(transition(FP, opened, sig("ALARM", 1)).effect).toMatchObject({ kind: "repeat", reply: false });
    const posted = { ...opened, ts: "1.1" };
    const first = transition(FP, posted, sig("ALARM", 1));
    expect(first.effect).toMatchObject({ kind: "repeat", reply: true });
    expect(transition(FP, first.next!, sig("ALARM", 3)).effect).toMatchObject({ reply: false });
    expect(transition(FP, first.next!, sig("ALARM", 7)).effect).toMatchObject({ reply: true });
  });

  it("ALARM within 30 min of resolving reopens the same incident; later starts generation 2", () => {
    const resolved = run([sig("ALARM", 0), sig("OK", 10)]).record;
    const reopened = transition(FP, resolved, sig("ALARM", 30));
    expect(reopened.effect).toEqual({ kind: "reopen", quietMs: 20 * 60_000 });
    expect(reopened.next).toMatchObject({ state: "open", generation: 1, reopenCount: 1 });
    const fresh = transition(FP, resolved, sig("ALARM", 41 + 60));
    expect(fresh.effect).toEqual({ kind: "open", alreadyResolved: false });
    expect(fresh.next).toMatchObject({ generation: 2, count: 1, jobId: incidentJobId(FP, 2) });
  });

  it("out of order: an OK older than the open ALARM and an ALARM older than the resolution are ignored", () => {
    const open = run([sig("ALARM", 10)]).record;
    expect(transition(FP, open, sig("OK", 5)).effect.kind).toBe("ignore");
    const resolved = run([sig("OK", 20)], open).record;
    expect(transition(FP, resolved, sig("ALARM", 15)).effect.kind).toBe("ignore");
  });

  it("OK before its ALARM leaves a tombstone; the late ALARM opens an incident that is already resolved", () => {
    const { effects, record } = run([sig("OK", 20), sig("ALARM", 10)]);
    expect(effects).toEqual(["ignore", "open"]);
    expect(record).toMatchObject({ state: "resolved", resolvedAt: at(20), generation: 1 });
  });

  it("a generation never handed to the worker is handed over again after 45 s", () => {
    const opened = run([sig("ALARM", 0)]).record;
    expect(transition(FP, opened, sig("ALARM", 0, 0)).effect).toMatchObject({ kind: "ignore" });
    expect(transition(FP, opened, sig("ALARM", 1, 0)).effect).toMatchObject({ redispatch: false });
    expect(transition(FP, opened, sig("ALARM", 1, 1)).effect).toMatchObject({ redispatch: true });
    expect(transition(FP, { ...opened, dispatchedAt: at(0) }, sig("ALARM", 1, 1)).effect).toMatchObject({
      redispatch: false,
    });
  });
});

describe("applySignal on the in-memory store", () => {
  it("50 concurrent ALARMs: exactly one opens; 50 later notifications count", async () => {
    const store = new MemoryIncidentStore();
    const outs = await Promise.all(Array.from({ length: 50 }, () => applySignal(store, FP, sig("ALARM", 0))));
    expect(outs.filter((o) => o.effect.kind === "open")).toHaveLength(1);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        applySignal(store, FP, { ...sig("ALARM", 1), at: `2026-11-26T10:01:${String(i).padStart(2, "0")}.000Z` }),
      ),
    );
    expect((await store.get(FP))!.count).toBe(51);
  });
});
