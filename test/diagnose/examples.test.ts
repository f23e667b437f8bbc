/**
 * The bundled incidents (examples/*.json, recorded from the real collectors): each must get the verdict, primary
 * finding and action an experienced on-call engineer would give. These pin the product's first line.
 */
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import type { Diagnosis } from "../../src/diagnose/types";
import { parseEvidence } from "../../src/evidence/snapshot";

const playbooks = loadPlaybooks();
const run = (name: string): Diagnosis =>
  diagnose(parseEvidence(readFileSync(`examples/${name}.json`, "utf8")), playbooks);
const primaryOf = (d: Diagnosis) => d.findings.find((f) => f.id === d.primary?.finding);

const CASES = [
  {
    name: "oom-after-deploy",
    verdict: "degraded",
    symptom: "oom_killed",
    rollbackTo: "payment-api:42",
    headline: /killed for using more memory/,
  },
  {
    name: "image-tag-missing",
    verdict: "degraded",
    symptom: "image_pull_failure",
    cause: "tag_not_found",
    explainedBy: "image_not_found",
    rollbackTo: "payment-api:42",
    headline: /payment-api:v1\.43 does not exist/,
  },
  {
    name: "secret-access-denied",
    verdict: "degraded",
    symptom: "secret_access_denied",
    explainedBy: "secret_not_readable",
    rollbackTo: "payment-api:57",
    headline:
      /^payment-api-execution may not read secret prod\/shared\/payments-db \(no identity-based policy allows it\)$/,
  },
  {
    name: "subnet-ip-exhaustion",
    verdict: "degraded",
    symptom: "subnet_ip_exhaustion",
    explainedBy: "subnet_ip_low",
    headline: /network interface/,
  },
  {
    name: "elb-health-check-wrong-path",
    verdict: "degraded",
    symptom: "elb_health_check_failed",
    cause: "response_code",
    explainedBy: "health_check_misconfigured",
    rollbackTo: "payment-api:87",
    headline: /wrong HTTP code/,
  },
  {
    name: "port-mismatch",
    verdict: "degraded",
    symptom: "elb_health_check_failed",
    cause: "timeout",
    explainedBy: "security_group_blocks_traffic",
    rollbackTo: "payment-api:64",
    headline: /time out/,
  },
  // The breaker already rolled back and the service is steady again: degraded (it happened), not failing (it is over).
  {
    name: "circuit-breaker-rollback",
    verdict: "degraded",
    symptom: "app_crash",
    also: "deployment_failed",
    headline: /fails at start-up/,
  },
  { name: "fargate-spot-interruption", verdict: "degraded", symptom: "spot_interruption", headline: /Spot/ },
  {
    name: "saturated-healthy",
    verdict: "degraded",
    symptom: "other",
    cause: "saturation",
    scale: true,
    headline: /short of task capacity/,
  },
] as const;

describe("example incidents", () => {
  it("covers every example file", () => {
    const files = readdirSync("examples")
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.replace(/\.json$/, ""))
      .sort();
    expect(files).toEqual([...CASES.map((c) => c.name), "healthy"].sort());
  });

  it.each(CASES)("$name: $verdict, primary $symptom", (c) => {
    const d = run(c.name);
    const primary = primaryOf(d);
    expect(d.verdict).toBe(c.verdict);
    expect(primary?.symptom).toBe(c.symptom);
    if ("cause" in c) expect(primary?.cause).toBe(c.cause);
    expect(d.headline).toMatch(c.headline);
    if ("explainedBy" in c) {
      expect(d.primary?.explainedBy.map((id) => d.findings.find((f) => f.id === id)?.symptom)).toContain(c.explainedBy);
    }
    if ("also" in c) expect(d.findings.map((f) => f.symptom)).toContain(c.also);
    expect(primary?.evidence.length).toBeGreaterThan(0);
    expect(d.primary?.confidence).toBeGreaterThanOrEqual(0.5);

    const rollback = d.proposals.find((p) => p.kind === "rollback");
    if ("rollbackTo" in c) expect(rollback?.change.taskDefinition?.split("/").pop()).toBe(c.rollbackTo);
    else expect(rollback).toBeUndefined();
    const scale = d.proposals.find((p) => p.kind === "scale");
    if ("scale" in c)
      expect(scale?.change.desiredCount).toBeGreaterThan(scale?.expect.desiredCount ?? Number.POSITIVE_INFINITY);
    else expect(scale).toBeUndefined();
  });

  it("healthy: no finding above info, every step ok, nothing proposed", () => {
    const d = run("healthy");
    expect(d.verdict).toBe("healthy");
    expect(d.primary).toBeUndefined();
    expect(d.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(d.steps.filter((s) => s.status !== "ok").map((s) => `${s.step}:${s.status}`)).toEqual([]);
    expect(d.proposals).toEqual([]);
  });

  it("never proposes scaling a crash loop, an OOM loop or a pull failure", () => {
    for (const name of ["oom-after-deploy", "image-tag-missing", "circuit-breaker-rollback", "secret-access-denied"]) {
      expect(
        run(name).proposals.map((p) => p.kind),
        name,
      ).not.toContain("scale");
    }
  });

  it("is a pure function of the snapshot: the same input gives the same, serialisable diagnosis", () => {
    const a = run("oom-after-deploy");
    const b = run("oom-after-deploy");
    expect(b).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});
