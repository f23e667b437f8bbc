import { afterEach, describe, expect, it, vi } from "vitest";
import { CHECKS } from "../../src/diagnose/checks";
import { diagnose } from "../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { loadEvidence } from "../../src/evidence/snapshot";

const playbooks = loadPlaybooks();

afterEach(() => vi.restoreAllMocks());

describe("a configuration check that throws (a bug on this evidence)", () => {
  it("turns its step to `error` naming the check, and the rest of the diagnosis stands", async () => {
    const evidence = await loadEvidence("examples/port-mismatch.json");
    const before = diagnose(evidence, playbooks);
    const check = CHECKS.find((c) => c.step === "subnets")!;
    vi.spyOn(check, "run").mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'internalDetail')");
    });
    const after = diagnose(evidence, playbooks);
    const step = after.steps.find((s) => s.step === "subnets")!;
    expect(step.status).toBe("error");
    expect(step.reason).toContain(check.id);
    expect(JSON.stringify(after)).not.toContain("internalDetail");
    expect(after.primary?.finding).toBe(before.primary?.finding);
    expect(after.verdict).toBe(before.verdict);
  });
});
