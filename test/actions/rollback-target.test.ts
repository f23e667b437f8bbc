import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planRollback, planScale } from "../../src/actions/plan";
import { lastKnownGood } from "../../src/actions/rollback-target";
import { diagnose } from "../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import type { DeploymentData, Evidence } from "../../src/evidence/schema";
import { parseEvidence } from "../../src/evidence/snapshot";

const TD = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/payment-api:${n}`;
const playbooks = loadPlaybooks();
const base = parseEvidence(readFileSync("examples/oom-after-deploy.json", "utf8"), "oom-after-deploy");

/** The OOM-after-deploy incident (payment-api:43 failing, :42 completed a week ago) with its deployment step edited. */
function withDeployment(
  edit: (d: DeploymentData) => DeploymentData,
  service: Partial<Evidence["service"]> = {},
): Evidence {
  return {
    ...base,
    service: { ...base.service, ...service },
    steps: base.steps.map((s) =>
      s.id === "deployment" && s.data ? { ...s, data: edit(s.data as DeploymentData) } : s,
    ),
  } as Evidence;
}

const noHistory = (d: DeploymentData): DeploymentData => ({ ...d, history: { serviceDeployments: [] } });

describe("lastKnownGood: the revision a rollback returns to", () => {
  it.each([
    {
      case: "history present: the newest SUCCESSFUL service deployment that is not the current revision",
      evidence: () => base,
      expected: { ok: true, taskDefinition: TD(42), source: "service-deployments" },
    },
    {
      case: "history absent: the deployments[] entry that had completed its rollout",
      evidence: () => withDeployment(noHistory),
      expected: { ok: true, taskDefinition: TD(42), source: "deployments" },
    },
    {
      case: "history and deployments[] silent: what the collector recorded",
      evidence: () =>
        withDeployment((d) => ({ ...noHistory(d), deployments: d.deployments.filter((x) => x.status === "PRIMARY") })),
      expected: { ok: true, taskDefinition: TD(42), source: "collector" },
    },
  ])("$case", ({ evidence, expected }) => {
    expect(lastKnownGood(evidence())).toMatchObject(expected);
  });

  it("never falls back to revision minus one: nothing known → a refusal that says to name one", () => {
    const e = withDeployment((d) => ({
      ...noHistory(d),
      deployments: d.deployments.filter((x) => x.status === "PRIMARY"),
      lastSuccessfulTaskDefinition: undefined,
    }));
    const target = lastKnownGood(e);
    expect(target.ok).toBe(false);
    expect(!target.ok && target.reason).toContain("--to");
  });

  it("offers no second rollback while the circuit breaker is already returning to :42", () => {
    // ECS's own rollback: a new PRIMARY on :42 in progress, the failed :43 deployment says it is rolling back.
    const e = withDeployment(
      (d) => ({
        ...d,
        deployments: [
          { ...d.deployments[1]!, status: "PRIMARY", rolloutState: "IN_PROGRESS", taskDefinition: TD(42) },
          {
            ...d.deployments[0]!,
            status: "ACTIVE",
            rolloutState: "FAILED",
            rolloutStateReason:
              "ECS deployment circuit breaker: tasks failed to start. Rolling back to deployment ecs-svc/7737216583404855394.",
          },
        ],
      }),
      { taskDefinition: TD(42) },
    );
    const target = lastKnownGood(e);
    expect(target).toMatchObject({ ok: false, ecsRollingBackTo: TD(42) });
    expect(!target.ok && target.reason).toContain("already rolling payment-api back to payment-api:42");
    // Nothing in the report advises going to :43 (the revision the change moved to) or to any other revision.
    const d = diagnose(e, playbooks);
    expect(d.proposals.filter((p) => p.kind === "rollback")).toEqual([]);
    expect(d.notes.join("\n")).toContain("ECS is already rolling payment-api back to payment-api:42");
    expect(JSON.stringify(d.findings.map((f) => f.fix))).not.toContain("roll back to payment-api:43");
  });

  it.each([
    { controller: "CODE_DEPLOY", says: "CodeDeploy" },
    { controller: "EXTERNAL", says: "EXTERNAL deployment controller" },
  ])("refuses a $controller service: UpdateService is not how it rolls back", ({ controller, says }) => {
    const target = lastKnownGood(withDeployment((d) => ({ ...d, deploymentController: controller })));
    expect(target.ok).toBe(false);
    expect(!target.ok && target.reason).toContain(says);
  });

  it("refuses when the current revision is the last that completed and no older one is known", () => {
    const e = withDeployment(
      (d) => ({
        ...d,
        history: { serviceDeployments: d.history.serviceDeployments.filter((h) => h.status === "SUCCESSFUL") },
      }),
      { taskDefinition: TD(42) },
    );
    const target = lastKnownGood(e);
    expect(target.ok).toBe(false);
  });
});

describe("planRollback and planScale (the CLI's plans)", () => {
  it("plans the last known-good revision with the digests it ran, expecting the current state", () => {
    const plan = planRollback(base);
    expect(plan).toMatchObject({
      ok: true,
      action: {
        expect: { taskDefinition: TD(43), desiredCount: base.service.desiredCount },
        change: { taskDefinition: TD(42) },
      },
    });
    expect(plan.ok && plan.action.targetDigests?.app).toMatch(/^sha256:/);
  });

  it.each([
    { to: "payment-api:41", ok: true, expected: TD(41) },
    { to: "41", ok: true, expected: TD(41) },
    { to: TD(40), ok: true, expected: TD(40) },
    { to: "checkout:3", ok: false, expected: "is not a revision of payment-api" },
    { to: "payment-api:43", ok: false, expected: "already runs" },
  ])("--to $to", ({ to, ok, expected }) => {
    const plan = planRollback(base, to);
    expect(plan.ok).toBe(ok);
    if (plan.ok) expect(plan.action.change.taskDefinition).toBe(expected);
    else expect(plan.reason).toContain(expected);
  });

  it("refuses to scale out an OOM loop: more tasks would fail the same way", () => {
    const plan = planScale(base, diagnose(base, playbooks), { maxDesired: 50 });
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reason).toContain("more tasks would fail the same way");
  });

  it("scales a saturated healthy service by the factor, capped", () => {
    const e = parseEvidence(readFileSync("examples/saturated-healthy.json", "utf8"), "saturated-healthy");
    const d = diagnose(e, playbooks);
    const desired = e.service.desiredCount;
    expect(planScale(e, d, { maxDesired: 50 })).toMatchObject({
      ok: true,
      action: { change: { desiredCount: desired * 2 } },
    });
    expect(planScale(e, d, { maxDesired: desired + 1 })).toMatchObject({
      ok: true,
      action: { change: { desiredCount: desired + 1 } },
    });
    expect(planScale(e, d, { maxDesired: desired }).ok).toBe(false);
  });
});
