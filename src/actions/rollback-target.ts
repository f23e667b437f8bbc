import { familyOf } from "../aws/arn";
import { shortName } from "../diagnose/template";
import type { DeploymentData, Evidence } from "../evidence/schema";
import { stepData } from "../evidence/read";

/** Where the revision to return to comes from, most trustworthy first. */
export type KnownGoodSource = "service-deployments" | "deployments" | "collector";

export type RollbackTarget =
  | {
      readonly ok: true;
      readonly taskDefinition: string;
      readonly source: KnownGoodSource;
      readonly completedAt?: string;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      /** ECS itself is returning the service to this revision (circuit breaker): no second rollback. */
      readonly ecsRollingBackTo?: string | undefined;
    };

/** History statuses that mean ECS is rolling back now. */
const ROLLING_BACK = new Set(["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]);
/** Controllers whose deployments ECS's UpdateService does not roll back. */
const FOREIGN_CONTROLLERS: Record<string, string> = {
  CODE_DEPLOY:
    "it is deployed by CodeDeploy (blue/green): roll back in CodeDeploy (stop the deployment with auto-rollback), not with UpdateService",
  EXTERNAL: "it uses the EXTERNAL deployment controller: roll back with the tool that deploys it (task sets)",
};

/**
 * The revision a rollback returns to: the task definition of the most recent service deployment that completed
 * successfully and is not the current one — from ListServiceDeployments / DescribeServiceDeployments first, else the
 * deployments[] entry that had completed its rollout (an ACTIVE deployment during a rollout is the previous PRIMARY),
 * else what the collector recorded. Never "revision minus one": a revision number says nothing about whether it ran.
 * Pure; the checks that need AWS (the target is ACTIVE, its image tags still point at the same digests) run at
 * execution time.
 */
export function lastKnownGood(evidence: Evidence): RollbackTarget {
  const deployment = stepData(evidence, "deployment");
  const service = evidence.target.service;
  if (!deployment) return { ok: false, reason: `the deployment step of ${service} could not be read` };
  const controller = deployment.deploymentController;
  const foreign = FOREIGN_CONTROLLERS[controller];
  if (foreign) return { ok: false, reason: `${service}: ${foreign}` };

  const rollingBackTo = ecsRollingBackTo(deployment);
  if (rollingBackTo) {
    return {
      ok: false,
      reason: `ECS is already rolling ${service} back to ${short(rollingBackTo)} (deployment circuit breaker): wait for it rather than start a second rollback`,
      ecsRollingBackTo: rollingBackTo,
    };
  }

  const current = evidence.service.taskDefinition;
  const successful = deployment.history.serviceDeployments
    .filter((d) => d.status === "SUCCESSFUL" && d.targetTaskDefinition)
    .sort((a, b) => (b.finishedAt ?? b.updatedAt ?? "").localeCompare(a.finishedAt ?? a.updatedAt ?? ""));
  const newestSuccessful = successful[0];
  if (newestSuccessful?.targetTaskDefinition === current && successful.length > 0) {
    const older = successful.find((d) => d.targetTaskDefinition !== current);
    if (!older)
      return {
        ok: false,
        reason: `${short(current)} is the last revision of ${service} that completed a rollout, and no earlier one is in the deployment history: name one with --to`,
      };
  }
  const fromHistory = successful.find((d) => d.targetTaskDefinition !== current);
  if (fromHistory?.targetTaskDefinition) {
    return {
      ok: true,
      taskDefinition: fromHistory.targetTaskDefinition,
      source: "service-deployments",
      ...(fromHistory.finishedAt ? { completedAt: fromHistory.finishedAt } : {}),
    };
  }

  const completed = deployment.deployments.find(
    (d) =>
      d.taskDefinition &&
      d.taskDefinition !== current &&
      d.status !== "PRIMARY" &&
      (d.rolloutState === "COMPLETED" || (d.status === "ACTIVE" && d.runningCount > 0 && d.rolloutState !== "FAILED")),
  );
  if (completed?.taskDefinition) return { ok: true, taskDefinition: completed.taskDefinition, source: "deployments" };

  const recorded = deployment.lastSuccessfulTaskDefinition;
  if (recorded && recorded !== current) return { ok: true, taskDefinition: recorded, source: "collector" };

  return {
    ok: false,
    reason: `no revision of ${service} other than ${short(current)} is known to have completed a rollout (deployment history ${deployment.history.error ? "unreadable" : "empty"}): name one with --to`,
  };
}

/**
 * The revision ECS is returning to when the circuit breaker (or a CloudWatch alarm) is rolling back: a history entry
 * in ROLLBACK_REQUESTED/IN_PROGRESS, or a failed deployment whose reason says it is rolling back while the PRIMARY
 * one (the way back) is still rolling out.
 */
export function ecsRollingBackTo(deployment: DeploymentData): string | undefined {
  const primary = deployment.deployments.find((d) => d.status === "PRIMARY");
  const failedRollingBack = deployment.deployments.some(
    (d) => d.status !== "PRIMARY" && d.rolloutState === "FAILED" && /rolling back/i.test(d.rolloutStateReason ?? ""),
  );
  const newest = deployment.history.serviceDeployments[0];
  const historyRollingBack = newest?.status !== undefined && ROLLING_BACK.has(newest.status);
  if (!failedRollingBack && !historyRollingBack) return undefined;
  if (primary?.rolloutState === "COMPLETED" && !historyRollingBack) return undefined;
  return primary?.taskDefinition ?? newest?.targetTaskDefinition;
}

/** Whether `to` may replace `from`: same family (a rollback does not switch applications). */
export function sameFamily(from: string, to: string): boolean {
  return familyOf(from) === familyOf(to);
}

function short(arn: string | undefined): string {
  return shortName(arn) ?? "the current revision";
}
