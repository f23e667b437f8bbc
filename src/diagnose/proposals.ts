import type { Evidence, Task } from "../evidence/schema";
import { currentTaskDefinition, currentTaskDefinitionArn, humanMinutes, minutesBetween, previousTaskDefinition, stepData, tasksByArn } from "./checks/evidence-access";
import type { CheckOrder } from "./playbook-schema";
import { analyzeSaturation } from "./saturation";
import type { Symptom } from "./symptoms";
import { shortName } from "./template";
import type { ActionProposal, Finding } from "./types";

export interface ProposeInput {
  readonly evidence: Evidence;
  /** All findings of the diagnosis, ranked. */
  readonly findings: readonly Finding[];
  /** The finding the diagnosis leads with. */
  readonly primary?: Finding | undefined;
  readonly thresholds: CheckOrder["thresholds"];
}

/** Causes a new task-definition revision can introduce, and rolling back can therefore undo. */
const REVISION_CAUSES: ReadonlySet<Symptom> = new Set<Symptom>([
  "image_pull_failure",
  "app_crash",
  "oom_killed",
  "container_health_check_failed",
  "elb_health_check_failed",
  "secret_access_denied",
  "iam_task_role_denied",
  "image_not_found",
  "port_mismatch",
  "health_check_misconfigured",
]);

/** Problems more tasks cannot fix (and would multiply): crash and OOM loops, pull, start-up and placement failures. */
const SCALE_BLOCKERS: ReadonlySet<Symptom> = new Set<Symptom>([
  "app_crash",
  "oom_killed",
  "image_pull_failure",
  "image_not_found",
  "registry_auth_or_network",
  "secret_access_denied",
  "secret_not_readable",
  "capacity_unavailable",
  "subnet_ip_exhaustion",
]);

/** history statuses that mean ECS is rolling back, or already has. */
const ROLLED_BACK = new Set(["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"]);

/**
 * The guarded actions the diagnosis may offer, pure: a rollback when the primary problem came with the current
 * revision and an earlier one ran healthy; an emergency scale-out when healthy tasks are saturated. Each says
 * what the service must still look like when it runs (`expect`); executing belongs to the actions module.
 */
export function proposeActions(input: ProposeInput): ActionProposal[] {
  return [rollbackProposal(input), scaleProposal(input)].filter((p): p is ActionProposal => p !== undefined);
}

// ── rollback ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Offered only when all hold:
 * - the primary finding is critical and a cause a revision can introduce (REVISION_CAUSES);
 * - the failing tasks (or the configuration evidence) belong to the CURRENT task definition;
 * - an earlier revision ran healthy: the deployment step's last successful task definition, a non-PRIMARY
 *   deployment still running tasks, or the previous task definition with a completed rollout;
 * - ECS has not rolled back already (circuit breaker rollback requested, in progress or done; an older revision
 *   PRIMARY; the PRIMARY deployment on another revision than the service's).
 */
export function rollbackProposal({ evidence, findings, primary }: ProposeInput): ActionProposal | undefined {
  if (!primary || primary.severity !== "critical" || !REVISION_CAUSES.has(primary.symptom)) return undefined;
  const current = currentTaskDefinitionArn(evidence);
  if (!current) return undefined;
  const deployment = stepData(evidence, "deployment");
  if (!deployment) return undefined;

  const primaryDeployment = deployment.deployments.find((d) => d.status === "PRIMARY");
  if (primaryDeployment?.taskDefinition && primaryDeployment.taskDefinition !== current) return undefined;
  const newest = deployment.history.serviceDeployments[0];
  if (newest?.status && ROLLED_BACK.has(newest.status)) return undefined;
  if (deployment.deployments.some((d) => d.rolloutState === "FAILED" && /roll(?:ing|ed)? back/i.test(d.rolloutStateReason ?? ""))) return undefined;

  const blame = blameCurrent(evidence, findings, primary, current);
  if (!blame) return undefined;
  const healthy = healthyRevision(evidence, current);
  if (!healthy || healthy.taskDefinition === primaryDeployment?.taskDefinition) return undefined;

  const service = evidence.target.service;
  return {
    kind: "rollback",
    title: `Roll back ${service} to ${shortName(healthy.taskDefinition)}`,
    reason: `${blame}; ${shortName(healthy.taskDefinition)} ${healthy.why}`,
    cluster: evidence.target.cluster,
    service,
    expect: { taskDefinition: current, desiredCount: evidence.service.desiredCount },
    change: { taskDefinition: healthy.taskDefinition },
  };
}

/** Share of the failing tasks that must run the current revision for a rollback to be the answer. */
const BLAME_SHARE = 0.8;

/**
 * Why the current revision is to blame, or undefined when the evidence does not tie the failure to it:
 * - every task the primary finding and the other critical revision-cause findings point at runs it;
 * - of all failing stopped tasks (those, and any that failed to start, had an essential container exit or
 *   failed health checks), at least 80 % run it — a failure spread over revisions is not the revision's;
 * - with no failing task at all, the primary finding's configuration evidence is about the current revision.
 */
function blameCurrent(evidence: Evidence, findings: readonly Finding[], primary: Finding, current: string): string | undefined {
  const tasks = tasksByArn(evidence);
  const resolve = (f: Finding) =>
    f.evidence.flatMap((r) => (r.kind === "task" ? [tasks.get(r.id)] : [])).filter((t): t is Task => t?.taskDefinitionArn !== undefined);
  const related = findings.filter((f) => f.severity === "critical" && REVISION_CAUSES.has(f.symptom));
  const referenced = unique([...resolve(primary), ...related.flatMap(resolve)]);
  if (referenced.some((t) => t.taskDefinitionArn !== current)) return undefined;

  // Evidence references keep the newest few tasks per finding: count every failed stop the snapshot holds.
  const stopped = stepData(evidence, "stopped-tasks")?.stopped ?? [];
  const failing = unique([...referenced, ...stopped.filter(looksFailed)]);
  const onCurrent = failing.filter((t) => t.taskDefinitionArn === current);
  if (failing.length > 0) {
    if (onCurrent.length < BLAME_SHARE * failing.length) return undefined;
    return `${onCurrent.length} of ${failing.length} failing task(s) run ${shortName(current)}`;
  }
  const aboutCurrent = primary.evidence.some((r) => r.kind === "config" && r.id.split("#")[0] === current);
  return aboutCurrent ? `${primary.title} (${shortName(current)})` : undefined;
}

/** A stop that is a failure: never started, an essential container exited, or a health check failed. */
function looksFailed(task: Task): boolean {
  if (task.stopCode === "TaskFailedToStart" || task.stopCode === "EssentialContainerExited") return true;
  return /failed (?:ELB|container|load balancer) health checks/i.test(task.stoppedReason ?? "");
}

function unique(tasks: readonly Task[]): Task[] {
  return [...new Map(tasks.map((t) => [t.taskArn, t])).values()];
}

/** An earlier revision known to have run healthy, and how we know. */
function healthyRevision(evidence: Evidence, current: string): { taskDefinition: string; why: string } | undefined {
  const deployment = stepData(evidence, "deployment");
  if (!deployment) return undefined;
  const now = evidence.collectedAt;
  const completedAt = (td: string) => {
    const fromHistory = deployment.history.serviceDeployments.find((d) => d.status === "SUCCESSFUL" && d.targetTaskDefinition === td);
    const fromDeployments = deployment.deployments.find((d) => d.rolloutState === "COMPLETED" && d.taskDefinition === td);
    const at = fromHistory?.finishedAt ?? fromHistory?.updatedAt ?? fromDeployments?.updatedAt;
    return { known: fromHistory !== undefined || fromDeployments !== undefined, at };
  };
  const completedText = (td: string) => {
    const { at } = completedAt(td);
    const minutes = at ? minutesBetween(at, now) : NaN;
    return Number.isFinite(minutes) && minutes >= 0 ? `completed its rollout ${humanMinutes(minutes)} ago` : "completed its rollout";
  };

  const last = deployment.lastSuccessfulTaskDefinition;
  if (last && last !== current) return { taskDefinition: last, why: completedText(last) };

  const stillRunning = deployment.deployments.find((d) => d.status !== "PRIMARY" && d.runningCount > 0 && d.taskDefinition && d.taskDefinition !== current);
  if (stillRunning?.taskDefinition) {
    return { taskDefinition: stillRunning.taskDefinition, why: `is still running ${stillRunning.runningCount} task(s) (${stillRunning.status} deployment)` };
  }

  const previous = previousTaskDefinition(evidence)?.taskDefinitionArn;
  if (previous && previous !== current && completedAt(previous).known) return { taskDefinition: previous, why: completedText(previous) };
  return undefined;
}

// ── emergency scale ──────────────────────────────────────────────────────────────────────────────

/**
 * Offered only when all hold:
 * - tasks are running and most of them are not UNHEALTHY;
 * - no critical crash, OOM, pull, start-up, secret or placement finding (SCALE_BLOCKERS): more tasks would fail
 *   the same way;
 * - the saturation step shows the tasks saturated: CPU or memory high, or requests per target or latency rising;
 * - the subnets have room for the added tasks (awsvpc), judged from the counted free IPs.
 * New desired count = min(⌈desired × scaleFactor⌉, desired + scaleMaxAdd, desired + free IPs).
 */
export function scaleProposal({ evidence, findings, thresholds }: ProposeInput): ActionProposal | undefined {
  const service = evidence.service;
  const desired = service.desiredCount;
  if (desired < 1 || service.runningCount < 1) return undefined;
  if (findings.some((f) => f.severity === "critical" && SCALE_BLOCKERS.has(f.symptom))) return undefined;

  const running = (stepData(evidence, "stopped-tasks")?.running ?? []).filter((t) => t.lastStatus === undefined || t.lastStatus === "RUNNING");
  const unhealthy = running.filter((t) => t.healthStatus === "UNHEALTHY").length;
  if (running.length > 0 && unhealthy * 2 >= running.length) return undefined;

  const saturation = analyzeSaturation(stepData(evidence, "saturation"), thresholds);
  if (!(saturation.cpuHigh || saturation.memoryHigh || saturation.requestsRising || saturation.latencyRising)) return undefined;

  const awsvpc = currentTaskDefinition(evidence)?.networkMode === "awsvpc" || (service.network?.subnets.length ?? 0) > 0;
  let free = Number.POSITIVE_INFINITY;
  if (awsvpc) {
    const counted = (stepData(evidence, "subnets")?.subnets ?? []).filter((s) => s.availableIpAddressCount !== undefined);
    if (counted.length === 0) return undefined; // no way to know there is room
    free = counted.reduce((sum, s) => sum + s.availableIpAddressCount!, 0);
  }
  const target = Math.min(Math.ceil(desired * thresholds.scaleFactor), desired + thresholds.scaleMaxAdd, desired + free);
  if (target <= desired) return undefined;

  const room = awsvpc ? `; ${free} free IP(s) in the subnets` : "";
  return {
    kind: "scale",
    title: `Scale ${evidence.target.service} from ${desired} to ${target} tasks`,
    reason: `${saturation.summary}; ${service.runningCount}/${desired} tasks running and no crash, OOM, pull or start-up failure${room} (×${thresholds.scaleFactor}, at most +${thresholds.scaleMaxAdd})`,
    cluster: evidence.target.cluster,
    service: evidence.target.service,
    expect: { taskDefinition: currentTaskDefinitionArn(evidence), desiredCount: desired },
    change: { desiredCount: target },
  };
}
