import { revisionDigests } from "../evidence/read";
import type { DeploymentData, Evidence, Task } from "../evidence/schema";
import {
  currentTaskDefinitionArn,
  humanMinutes,
  minutesBetween,
  previousTaskDefinition,
  stepData,
  tasksByArn,
} from "./checks/evidence-access";
import type { CheckOrder } from "./playbook-schema";
import { CONFIG_SYMPTOMS, MESSAGE_SYMPTOMS, type Symptom } from "./symptoms";
import { shortName } from "./template";
import type { ActionProposal, Finding } from "./types";
import { scaleProposal } from "./scale-proposal";

export { scaleProposal };

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
export const SCALE_BLOCKERS: ReadonlySet<Symptom> = new Set<Symptom>([
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

/** Failing health checks: more tasks of the same revision would fail them too. */
export const HEALTH_CHECK_FAILURES: ReadonlySet<Symptom> = new Set<Symptom>([
  "elb_health_check_failed",
  "container_health_check_failed",
]);

export const CONFIG: ReadonlySet<Symptom> = new Set<Symptom>(CONFIG_SYMPTOMS);
const MESSAGE: ReadonlySet<Symptom> = new Set<Symptom>(MESSAGE_SYMPTOMS);

/** The current revision counts as new when its deployment started at most this long before the first failure. */
const MAX_FRESH_MINUTES = 6 * 60;

/** history statuses that mean ECS is rolling back, or already has. */
const ROLLED_BACK = new Set(["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"]);

/**
 * The guarded actions the diagnosis may offer, pure: a rollback when the primary problem came with the current
 * revision and an earlier one ran healthy; an emergency scale-out when healthy tasks are saturated. Each says
 * what the service must still look like when it runs (`expect`); executing belongs to the actions module.
 */
export function proposeActions(input: ProposeInput): ActionProposal[] {
  const rollback = rollbackProposal(input);
  // Never both: more tasks of a revision we propose to roll back would only multiply the failure.
  if (rollback) return [rollback];
  const scale = scaleProposal(input);
  return scale ? [scale] : [];
}

// ── rollback ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Offered only when all hold:
 * - the primary finding is critical and a cause a revision can introduce (REVISION_CAUSES);
 * - the failing tasks (or the configuration evidence) belong to the CURRENT task definition;
 * - the current revision is new (freshRevision): the PRIMARY deployment is still IN_PROGRESS or FAILED, or it
 *   started at most min(2 × recentChangeMinutes, 6 h) before the first failure on the current revision — and no
 *   rollout of the current revision had completed longer than that before the failure. A revision that ran
 *   healthy for days and now fails did not bring the failure: rolling it back would only undo unrelated work;
 * - an earlier revision ran healthy: the deployment step's last successful task definition, a non-PRIMARY
 *   deployment still running tasks, or the previous task definition with a completed rollout;
 * - ECS has not rolled back already (circuit breaker rollback requested, in progress or done; an older revision
 *   PRIMARY; the PRIMARY deployment on another revision than the service's).
 */
export function rollbackProposal({
  evidence,
  findings,
  primary,
  thresholds,
}: ProposeInput): ActionProposal | undefined {
  if (!primary || primary.severity !== "critical" || !REVISION_CAUSES.has(primary.symptom)) return undefined;
  const current = currentTaskDefinitionArn(evidence);
  if (!current) return undefined;
  const deployment = stepData(evidence, "deployment");
  if (!deployment) return undefined;

  const primaryDeployment = deployment.deployments.find((d) => d.status === "PRIMARY");
  if (primaryDeployment?.taskDefinition && primaryDeployment.taskDefinition !== current) return undefined;
  const newest = deployment.history.serviceDeployments[0];
  if (newest?.status && ROLLED_BACK.has(newest.status)) return undefined;
  if (
    deployment.deployments.some(
      (d) => d.rolloutState === "FAILED" && /roll(?:ing|ed)? back/i.test(d.rolloutStateReason ?? ""),
    )
  )
    return undefined;

  const blame = blameCurrent(evidence, findings, primary, current);
  if (!blame) return undefined;
  const fresh = freshRevision(evidence, deployment, primaryDeployment, current, blame.onset, thresholds);
  if (!fresh) return undefined;
  const healthy = healthyRevision(evidence, current);
  if (!healthy || healthy.taskDefinition === primaryDeployment?.taskDefinition) return undefined;

  const service = evidence.target.service;
  const digests = revisionDigests(evidence, healthy.taskDefinition);
  return {
    kind: "rollback",
    title: `Roll back ${service} to ${shortName(healthy.taskDefinition)}`,
    reason: `${blame.text}; ${fresh}; ${shortName(healthy.taskDefinition)} ${healthy.why}`,
    cluster: evidence.target.cluster,
    service,
    expect: { taskDefinition: current, desiredCount: evidence.service.desiredCount },
    change: { taskDefinition: healthy.taskDefinition },
    ...(digests ? { targetDigests: digests } : {}),
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
 * `onset`: the first failure of the current revision — its earliest failing task's stop, else the earliest
 * sighting of the blamed message findings; undefined when neither is known.
 */
function blameCurrent(
  evidence: Evidence,
  findings: readonly Finding[],
  primary: Finding,
  current: string,
): { text: string; onset?: string | undefined } | undefined {
  const tasks = tasksByArn(evidence);
  const resolve = (f: Finding) =>
    f.evidence
      .flatMap((r) => (r.kind === "task" ? [tasks.get(r.id)] : []))
      .filter((t): t is Task => t?.taskDefinitionArn !== undefined);
  const related = findings.filter((f) => f.severity === "critical" && REVISION_CAUSES.has(f.symptom));
  const referenced = unique([...resolve(primary), ...related.flatMap(resolve)]);
  if (referenced.some((t) => t.taskDefinitionArn !== current)) return undefined;

  // Evidence references keep the newest few tasks per finding: count every failed stop the snapshot holds.
  const stopped = stepData(evidence, "stopped-tasks")?.stopped ?? [];
  const failing = unique([...referenced, ...stopped.filter(looksFailed)]);
  const onCurrent = failing.filter((t) => t.taskDefinitionArn === current);
  const seen = [primary, ...related].filter((f) => MESSAGE.has(f.symptom)).map((f) => f.firstSeen);
  if (failing.length > 0) {
    if (onCurrent.length < BLAME_SHARE * failing.length) return undefined;
    const stops = onCurrent.map((t) => t.stoppedAt ?? t.stoppingAt ?? t.createdAt);
    return {
      // Stopped tasks, said so: "all 9 tasks that failed in the window ran payment-api:43" cannot be read against
      // a running count ("1 of 3 running") beside it (issue 9).
      text: `${onCurrent.length === failing.length ? `all ${failing.length}` : `${onCurrent.length} of ${failing.length}`} task(s) that failed in the window ran ${shortName(current)}`,
      onset: earliest(stops) ?? earliest(seen),
    };
  }
  const aboutCurrent = primary.evidence.some((r) => r.kind === "config" && r.id.split("#")[0] === current);
  return aboutCurrent ? { text: `${primary.title} (${shortName(current)})`, onset: earliest(seen) } : undefined;
}

/** The earliest of some ISO times that parse; undefined when none does. */
function earliest(times: readonly (string | undefined)[]): string | undefined {
  return times
    .filter((t): t is string => t !== undefined && Number.isFinite(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

type Deployment = DeploymentData["deployments"][number];

/**
 * Whether the current revision is new enough to blame, as a reason fragment ("payment-api:43 was deployed 11 min
 * before the first failure (rollout IN_PROGRESS)"), or undefined when it is not:
 * - refused when a rollout of the current revision completed more than the limit before the first failure: it
 *   ran healthy, and a later redeploy of it (forced or not) does not make it new;
 * - accepted when the PRIMARY deployment is still IN_PROGRESS or FAILED (it never settled);
 * - accepted when the PRIMARY deployment (else the newest history entry for the current revision) started at most
 *   the limit before the first failure: min(2 × recentChangeMinutes, 6 h). A deployment that started after the
 *   first failure does not count as the cause by time (the failing tasks came from an earlier one).
 * With no known onset (configuration evidence only), "now" (`collectedAt`) stands in for it.
 */
function freshRevision(
  evidence: Evidence,
  deployment: DeploymentData,
  primaryDeployment: Deployment | undefined,
  current: string,
  onset: string | undefined,
  thresholds: ProposeInput["thresholds"],
): string | undefined {
  const limit = Math.min(2 * thresholds.recentChangeMinutes, MAX_FRESH_MINUTES);
  const at = onset ?? evidence.collectedAt;
  const relative = (from: string) => {
    const minutes = minutesBetween(from, at);
    if (!Number.isFinite(minutes)) return { minutes, text: "" };
    const when = onset ? `${minutes < 0 ? "after" : "before"} the first failure` : "ago";
    return { minutes, text: `${humanMinutes(Math.abs(minutes))} ${when}` };
  };

  const completedRollouts = [
    ...deployment.history.serviceDeployments
      .filter((d) => d.status === "SUCCESSFUL" && d.targetTaskDefinition === current)
      .map((d) => d.finishedAt ?? d.updatedAt),
    ...deployment.deployments
      .filter((d) => d.status !== "PRIMARY" && d.rolloutState === "COMPLETED" && d.taskDefinition === current)
      .map((d) => d.updatedAt ?? d.createdAt),
  ];
  const ranSince = earliest(completedRollouts);
  if (ranSince && relative(ranSince).minutes > limit) return undefined;

  const state = primaryDeployment?.rolloutState;
  const started =
    primaryDeployment?.createdAt ??
    earliest(
      deployment.history.serviceDeployments
        .filter((d) => d.targetTaskDefinition === current)
        .slice(0, 1)
        .map((d) => d.startedAt ?? d.createdAt),
    );
  const since = started ? relative(started) : undefined;
  const deployedText = since?.text
    ? `${shortName(current)} was deployed ${since.text}`
    : `${shortName(current)}'s deployment start is unknown`;
  const stateText = state ? ` (rollout ${state})` : "";

  if (state === "IN_PROGRESS" || state === "FAILED") return `${deployedText}${stateText}`;
  if (since && since.minutes >= 0 && since.minutes <= limit) return `${deployedText}${stateText}`;
  return undefined;
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
    const fromHistory = deployment.history.serviceDeployments.find(
      (d) => d.status === "SUCCESSFUL" && d.targetTaskDefinition === td,
    );
    const fromDeployments = deployment.deployments.find(
      (d) => d.rolloutState === "COMPLETED" && d.taskDefinition === td,
    );
    const at = fromHistory?.finishedAt ?? fromHistory?.updatedAt ?? fromDeployments?.updatedAt;
    return { known: fromHistory !== undefined || fromDeployments !== undefined, at };
  };
  const completedText = (td: string) => {
    const { at } = completedAt(td);
    const minutes = at ? minutesBetween(at, now) : NaN;
    return Number.isFinite(minutes) && minutes >= 0
      ? `completed its rollout ${humanMinutes(minutes)} ago`
      : "completed its rollout";
  };

  const last = deployment.lastSuccessfulTaskDefinition;
  if (last && last !== current) return { taskDefinition: last, why: completedText(last) };

  const stillRunning = deployment.deployments.find(
    (d) => d.status !== "PRIMARY" && d.runningCount > 0 && d.taskDefinition && d.taskDefinition !== current,
  );
  if (stillRunning?.taskDefinition) {
    return {
      taskDefinition: stillRunning.taskDefinition,
      why: `is still running ${stillRunning.runningCount} task(s) (${stillRunning.status} deployment)`,
    };
  }

  const previous = previousTaskDefinition(evidence)?.taskDefinitionArn;
  if (previous && previous !== current && completedAt(previous).known)
    return { taskDefinition: previous, why: completedText(previous) };
  return undefined;
}
