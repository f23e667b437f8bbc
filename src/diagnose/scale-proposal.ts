import type { DeploymentData, Evidence } from "../evidence/schema";
import { currentTaskDefinition, currentTaskDefinitionArn, stepData } from "./checks/evidence-access";
import { CONFIG, HEALTH_CHECK_FAILURES, rollbackProposal, SCALE_BLOCKERS, type ProposeInput } from "./proposals";
import { analyzeSaturation } from "./saturation";
import type { ActionProposal } from "./types";

// ── emergency scale ──────────────────────────────────────────────────────────────────────────────

/**
 * Offered only when all hold:
 * - no rollback is offered: new tasks would run the revision we propose to leave;
 * - no deployment is in progress (a PRIMARY or other deployment IN_PROGRESS, more than one deployment, or a
 *   pending / in-progress / rollback entry at the head of the history): new tasks would run the new revision;
 * - tasks are running and most of them are not UNHEALTHY;
 * - no critical crash, OOM, pull, start-up, secret or placement finding (SCALE_BLOCKERS), no critical
 *   health-check failure (ELB or container) and no critical configuration finding: more tasks would fail the
 *   same way;
 * - the saturation step shows the tasks saturated: CPU or memory high, or requests per target or latency rising;
 * - the subnets have room for the added tasks (awsvpc), judged from the counted free IPs less the IPs a
 *   deployment's surge needs (the subnets step's surgeNeed), so a scale-out never starves the next rollout.
 * New desired count = min(⌈desired × scaleFactor⌉, desired + scaleMaxAdd, desired + free IPs − surge).
 */
export function scaleProposal(input: ProposeInput): ActionProposal | undefined {
  const { evidence, findings, thresholds } = input;
  const service = evidence.service;
  const desired = service.desiredCount;
  if (desired < 1 || service.runningCount < 1) return undefined;
  if (
    findings.some(
      (f) =>
        f.severity === "critical" &&
        (SCALE_BLOCKERS.has(f.symptom) || HEALTH_CHECK_FAILURES.has(f.symptom) || CONFIG.has(f.symptom)),
    )
  ) {
    return undefined;
  }
  const deployment = stepData(evidence, "deployment");
  if (deployment && deploymentInProgress(deployment)) return undefined;
  if (rollbackProposal(input)) return undefined;

  const running = (stepData(evidence, "stopped-tasks")?.running ?? []).filter(
    (t) => t.lastStatus === undefined || t.lastStatus === "RUNNING",
  );
  const unhealthy = running.filter((t) => t.healthStatus === "UNHEALTHY").length;
  if (running.length > 0 && unhealthy * 2 >= running.length) return undefined;

  const saturation = analyzeSaturation(stepData(evidence, "saturation"), thresholds);
  if (!(saturation.cpuHigh || saturation.memoryHigh || saturation.requestsRising || saturation.latencyRising))
    return undefined;

  const awsvpc =
    currentTaskDefinition(evidence)?.networkMode === "awsvpc" || (service.network?.subnets.length ?? 0) > 0;
  let room = Number.POSITIVE_INFINITY;
  let roomText = "";
  if (awsvpc) {
    const subnets = stepData(evidence, "subnets");
    const counted = (subnets?.subnets ?? []).filter((s) => s.availableIpAddressCount !== undefined);
    if (!subnets || counted.length === 0) return undefined; // no way to know there is room
    const free = counted.reduce((sum, s) => sum + s.availableIpAddressCount!, 0);
    const surge = Math.max(0, subnets.surgeNeed);
    room = free - surge;
    roomText =
      surge > 0
        ? `; ${free} free IP(s) in the subnets, ${surge} kept for a deployment's surge`
        : `; ${free} free IP(s) in the subnets`;
  }
  const target = Math.min(
    Math.ceil(desired * thresholds.scaleFactor),
    desired + thresholds.scaleMaxAdd,
    desired + room,
  );
  if (target <= desired) return undefined;

  return {
    kind: "scale",
    title: `Scale ${evidence.target.service} from ${desired} to ${target} tasks`,
    reason: `${saturation.summary}; ${taskCounts(evidence, deployment)}, no deployment in progress and no crash, OOM, pull, start-up or health-check failure${roomText} (×${thresholds.scaleFactor}, at most +${thresholds.scaleMaxAdd})`,
    cluster: evidence.target.cluster,
    service: evidence.target.service,
    expect: { taskDefinition: currentTaskDefinitionArn(evidence), desiredCount: desired },
    change: { desiredCount: target },
  };
}

/** Statuses of a service deployment that has not settled. */
const UNSETTLED = new Set(["PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"]);

/** A rollout under way: new tasks would run whatever it is rolling out (or back to). */
function deploymentInProgress(deployment: DeploymentData): boolean {
  if (deployment.deployments.length > 1) return true;
  if (deployment.deployments.some((d) => d.rolloutState === "IN_PROGRESS")) return true;
  const newest = deployment.history.serviceDeployments[0];
  return newest?.status !== undefined && UNSETTLED.has(newest.status);
}

/**
 * "6/6 tasks running", from the PRIMARY deployment when there is one (the service's runningCount also counts
 * tasks of other deployments and may exceed its desired count); "running 7 (desired 6)" when more run than desired.
 */
function taskCounts(evidence: Evidence, deployment: DeploymentData | undefined): string {
  const primary = deployment?.deployments.find((d) => d.status === "PRIMARY");
  const running = primary?.runningCount ?? evidence.service.runningCount;
  const desired = primary?.desiredCount ?? evidence.service.desiredCount;
  return running <= desired ? `${running}/${desired} tasks running` : `running ${running} (desired ${desired})`;
}
