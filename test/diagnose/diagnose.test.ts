/**
 * Engine behaviour on edited copies of recorded incidents: verdicts, ranking, step statuses and resilience to
 * snapshots with missing or failed steps. Each case changes one fact and asserts the one consequence.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import type { Evidence } from "../../src/evidence/schema";
import { parseEvidence } from "../../src/evidence/snapshot";

const playbooks = loadPlaybooks();
const example = (name: string): Evidence => parseEvidence(readFileSync(`examples/${name}.json`, "utf8"));
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

describe("diagnose", () => {
  describe("verdict by user impact", () => {
    /** The OOM-after-deploy incident with its targets, tasks and desired count edited. */
    function edited(edit: (e: Mutable<Evidence>) => void): Evidence {
      const e = structuredClone(example("oom-after-deploy")) as Mutable<Evidence>;
      edit(e);
      return e;
    }
    const targets = (e: Mutable<Evidence>) => {
      const step = e.steps.find((s) => s.id === "target-health");
      if (step?.id !== "target-health" || !step.data) throw new Error("fixture");
      return step.data.targetGroups;
    };
    it.each([
      {
        case: "serving on the old revision while the new one fails: degraded",
        evidence: () => example("oom-after-deploy"),
        verdict: "degraded",
        line: /^Serving: 3\/4 target\(s\) healthy .* payment-api:43: 1 of 3 running, tasks failing$/,
      },
      {
        case: "no healthy target left: failing",
        evidence: () =>
          edited((e) => {
            for (const g of targets(e)) for (const t of g.targets) (t as { state: string }).state = "unhealthy";
          }),
        verdict: "failing",
        line: /^Not serving: 0\/\d+ target\(s\) healthy/,
      },
      {
        case: "no running task and no load balancer: failing",
        evidence: () =>
          edited((e) => {
            e.service = { ...e.service, loadBalancers: [] };
            const step = e.steps.find((s) => s.id === "stopped-tasks");
            if (step?.id !== "stopped-tasks" || !step.data) throw new Error("fixture");
            step.data.running = [];
          }),
        verdict: "failing",
        line: /^Not serving: 0\/3 task\(s\) running/,
      },
      {
        case: "a routine service: healthy",
        evidence: () => example("healthy"),
        verdict: "healthy",
        line: /^Serving: 6\/6 target\(s\) healthy on payment-api:42$/,
      },
      {
        case: "serving, no failure, but saturated (a warning): degraded",
        evidence: () => example("saturated-healthy"),
        verdict: "degraded",
        line: /^Serving: 6\/6/,
      },
    ])("$case", ({ evidence, verdict, line }) => {
      const d = diagnose(evidence(), playbooks);
      expect(d.verdict).toBe(verdict);
      expect(d.serving).toMatch(line);
    });
  });

  it("ranks a root cause before its effects, however much evidence the effect has", () => {
    const d = diagnose(example("circuit-breaker-rollback"), playbooks);
    const order = d.findings.map((f) => f.symptom);
    expect(order.indexOf("app_crash")).toBeLessThan(order.indexOf("deployment_failed"));
    expect(d.findings.find((f) => f.symptom === "deployment_failed")?.role).toBe("effect");
  });

  it("marks a step that could not be collected as error with its actionable reason, and the rest still judged", () => {
    const evidence = example("image-tag-missing") as Mutable<Evidence>;
    evidence.steps = evidence.steps.map((s) =>
      s.id === "subnets"
        ? {
            ...s,
            status: "error" as const,
            data: null,
            errors: [
              {
                kind: "access_denied" as const,
                code: "UnauthorizedOperation",
                operation: "ec2:DescribeSubnets",
                message: "You are not authorized to perform this operation.",
                hint: "AccessDenied on ec2:DescribeSubnets — grant it to the role ecs-medic runs as to see subnet free IPs",
              },
            ],
          }
        : s,
    );
    const d = diagnose(evidence, playbooks);
    const subnets = d.steps.find((s) => s.step === "subnets");
    expect(subnets).toMatchObject({ status: "error", summary: expect.stringContaining("ec2:DescribeSubnets") });
    expect(subnets?.reason).toContain("grant it");
    expect(d.findings[0]?.symptom).toBe("image_pull_failure");
  });

  it("never throws on a snapshot whose steps are all missing or skipped, and does not call it healthy", () => {
    const evidence = example("healthy") as Mutable<Evidence>;
    const bare = { ...evidence, steps: [], taskDefinitions: [] };
    expect(() => diagnose(bare, playbooks)).not.toThrow();
    expect(diagnose(bare, playbooks).steps.every((s) => s.status === "skipped")).toBe(true);

    const skipped = {
      ...evidence,
      steps: evidence.steps.map((s) => ({
        ...s,
        status: "skipped" as const,
        data: null,
        skipReason: "not applicable",
      })),
    };
    const d = diagnose(skipped as Evidence, playbooks);
    expect(d.verdict).toBe("degraded");
    expect(d.headline).toMatch(/^Not enough evidence to judge payment-api/);
  });

  it("keeps unexplained error log lines visible but never lets them be the primary finding", () => {
    const evidence = example("healthy") as Mutable<Evidence>;
    const logs = evidence.steps.find((s) => s.id === "task-logs");
    if (logs?.id !== "task-logs" || !logs.data) throw new Error("fixture");
    logs.data.streams[0]?.lines.push({
      timestamp: evidence.collectedAt,
      message: "ERROR widget frobnication failed for order 42",
    });

    const d = diagnose(evidence, playbooks);
    const unexplained = d.findings.find((f) => f.rule === "unrecognised");
    expect(unexplained).toMatchObject({ severity: "info", steps: ["task-logs"] });
    expect(d.primary).toBeUndefined();
    expect(d.verdict).toBe("healthy");
  });

  it("fills every placeholder in every finding of every example", () => {
    for (const name of [
      "oom-after-deploy",
      "image-tag-missing",
      "secret-access-denied",
      "subnet-ip-exhaustion",
      "elb-health-check-wrong-path",
      "port-mismatch",
      "circuit-breaker-rollback",
      "fargate-spot-interruption",
      "saturated-healthy",
    ]) {
      for (const f of diagnose(example(name), playbooks).findings) {
        for (const text of [f.title, f.detail, f.fix]) expect(text, `${name}/${f.rule}`).not.toMatch(/\{[A-Za-z]+\}/);
      }
    }
  });
});
