import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../src/diagnose/diagnose";
import { classifyUnits, findingsFromUnits, type ClassifiedUnit } from "../../src/diagnose/findings";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { observe } from "../../src/diagnose/messages";
import type { EvidenceRef } from "../../src/diagnose/types";
import { exampleEvidence, floodLogs, inflateEvidence } from "../helpers/large-evidence";

/**
 * Grouping units into findings is linear in the number of units (it copied a group per message: a 51 MB snapshot
 * replayed in 248 s). The result must be what the straightforward version gave: the same groups, representative,
 * times and evidence. Replay time of large snapshots is measured by scripts/bench/replay.ts, not asserted here.
 */

const playbooks = loadPlaybooks();
const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();

/** The grouping as it was written before (copying, sorting everything), for the fields the rewrite touched. */
function reference(units: readonly ClassifiedUnit[]) {
  const groups = new Map<string, ClassifiedUnit[]>();
  for (const u of units) {
    if (u.classification.symptom === "normal") continue;
    const { symptom, cause, rule } = u.classification;
    const key = !rule ? `${symptom}:unrecognised` : symptom === "other" ? `other:${cause ?? rule}` : symptom;
    groups.set(key, [...(groups.get(key) ?? []), u]);
  }
  const roleRank = (u: ClassifiedUnit) => ((u.rule?.role ?? "cause") === "cause" ? 0 : 1);
  const at = (u: ClassifiedUnit) => u.observation.ref.at ?? "";
  return [...groups.entries()].map(([id, members]) => {
    const lead = [...members].sort(
      (a, b) =>
        roleRank(a) - roleRank(b) ||
        b.classification.priority - a.classification.priority ||
        at(b).localeCompare(at(a)),
    )[0]!;
    const times = members.map(at).filter(Boolean).sort();
    const seen = new Set<string>();
    const evidence = [...members]
      .sort((a, b) => at(b).localeCompare(at(a)))
      .map((m) => m.observation.ref)
      .filter((r: EvidenceRef) => {
        const key = `${r.step}:${r.kind}:${r.id}:${r.text ?? ""}`;
        return seen.has(key) ? false : (seen.add(key), true);
      })
      .slice(0, 5);
    return {
      id,
      rule: lead.rule?.id ?? "unrecognised",
      lead: lead.unit,
      count: members.length,
      firstSeen: times[0],
      lastSeen: times[times.length - 1],
      evidence,
    };
  });
}

/** A deterministic shuffle, so ties in priority and time meet in every order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("findings from classified units", () => {
  it.each(examples)("%s: same groups, representative, times and evidence as the straightforward version", (name) => {
    const units = classifyUnits(observe(exampleEvidence(name)), playbooks);
    for (const order of [units, shuffled(units, 1), shuffled(units, 2), [...units].reverse()]) {
      const findings = findingsFromUnits(order, {});
      const expected = reference(order);
      expect(
        findings.map((f) => ({
          id: f.id,
          rule: f.rule,
          count: f.count,
          firstSeen: f.firstSeen,
          lastSeen: f.lastSeen,
          evidence: f.evidence,
        })),
      ).toEqual(expected.map(({ lead: _lead, ...rest }) => rest));
      // The representative gives the words: the same unit leads (its title is filled from its values).
      for (const [i, f] of findings.entries()) {
        const lead = order.find((u) => u.unit === expected[i]!.lead)!;
        expect(f.title.length).toBeGreaterThan(0);
        expect(f.cause).toBe(lead.classification.cause);
      }
    }
  });

  it("a snapshot 100 times larger gives the same findings, with counts to match and evidence still bounded", () => {
    const small = exampleEvidence("oom-after-deploy");
    const large = inflateEvidence(small, 100);
    const before = diagnose(small, playbooks);
    const after = diagnose(large, playbooks);
    const unitsSmall = classifyUnits(observe(small), playbooks).length;
    const unitsLarge = classifyUnits(observe(large), playbooks).length;
    expect(unitsLarge).toBeGreaterThan(50 * unitsSmall);

    expect(after.verdict).toBe(before.verdict);
    expect(after.primary?.finding).toBe(before.primary?.finding);
    const shape = (d: typeof before) =>
      d.findings.map((f) => ({
        id: f.id,
        rule: f.rule,
        severity: f.severity,
        // An unexplained group's title counts its lines.
        title: f.rule === "unrecognised" ? f.title.replace(/^\d+/, "N") : f.title,
        firstSeen: f.firstSeen,
        lastSeen: f.lastSeen,
      }));
    expect(shape(after)).toEqual(shape(before));
    for (const f of after.findings) {
      const was = before.findings.find((b) => b.id === f.id)!;
      expect(f.evidence.length).toBeLessThanOrEqual(5);
      expect(f.count ?? 0).toBeGreaterThanOrEqual(was.count ?? 0);
    }
    const oom = after.findings.find((f) => f.symptom === "oom_killed")!;
    const oomBefore = before.findings.find((f) => f.symptom === "oom_killed")!;
    expect(oom.count).toBe(100 * oomBefore.count!);
  });

  it("20,000 error lines of one kind make one finding of 20,000, as 20 of them make one of 20", () => {
    // The shape that was quadratic: one group with a member per line (51 MB of such lines replayed in 248 s).
    const small = diagnose(floodLogs(exampleEvidence("oom-after-deploy"), 20), playbooks);
    const large = diagnose(floodLogs(exampleEvidence("oom-after-deploy"), 20_000), playbooks);
    const plain = diagnose(exampleEvidence("oom-after-deploy"), playbooks);
    const flooded = (d: typeof small) => d.findings.find((f) => f.rule === "unrecognised")!;
    const before = flooded(plain)?.count ?? 0;
    expect(flooded(small).count).toBe(before + 20);
    expect(flooded(large).count).toBe(before + 20_000);
    expect(flooded(large).id).toBe(flooded(small).id);
    expect(flooded(large).evidence.length).toBeLessThanOrEqual(5);
    expect(large.primary).toEqual(small.primary);
  });
});

describe("the way back a finding's fix names", () => {
  const breaker = () => exampleEvidence("circuit-breaker-rollback");
  const fixOf = (evidence: ReturnType<typeof exampleEvidence>) =>
    diagnose(evidence, playbooks).findings.find((f) => f.rule === "app-start-failure")!.fix;

  it("is the revision ECS rolled back to when the failing tasks ran a newer one, whichever message leads", () => {
    // The breaker took payment-api back from :44 to :43; the finding's lead is a service event that names no
    // revision, its stopped tasks all ran :44. The way back from :44 is :43, not the revision before :43.
    const fix = fixOf(breaker());
    expect(fix).toContain("roll back to payment-api:43");
    expect(fix).not.toContain("payment-api:42");
  });

  it("stays the last good revision when the failing tasks disagree on their revision", () => {
    const evidence = breaker();
    const step = evidence.steps.find((s) => s.id === "stopped-tasks")!;
    const stopped = (step.data as { stopped: { taskDefinitionArn?: string }[] }).stopped;
    stopped[0]!.taskDefinitionArn = evidence.service.taskDefinition;
    expect(fixOf(evidence)).toContain("roll back to payment-api:42");
  });
});
