import type { DeploymentData, Evidence, Task } from "../../evidence/schema";
import { shortName } from "../template";
import type { EvidenceRef, Finding } from "../types";
import type { Check, CheckHit } from "./check";
import { stepData, tasksByArn } from "./evidence-access";

type Deployment = DeploymentData["deployments"][number];

/** Symptoms of a container that ran and then exited: what the circuit breaker does not count. */
const EXIT_SYMPTOMS: ReadonlySet<string> = new Set(["app_crash", "oom_killed"]);

/**
 * Step 2 — the deployment circuit breaker will not stop this rollout:
 * - a rollout IN_PROGRESS or FAILED with failing tasks while the breaker is disabled: ECS keeps replacing tasks
 *   for as long as the deployment lasts;
 * - the breaker is on and the PRIMARY rollout is still IN_PROGRESS, but tasks of the PRIMARY deployment started
 *   (startedAt set) and then exited (crash or OOM kill) while its failedTasks stays 0: the breaker counts tasks
 *   that fail to reach RUNNING and failed health checks, not containers that exit after starting, so it never
 *   trips. Once the rollout is COMPLETED (or FAILED) the breaker no longer watches it: later exits are not its
 *   blind spot.
 * Only for the ECS deployment controller (CodeDeploy and external controllers have no circuit breaker).
 */
export const circuitBreakerBlindSpotCheck: Check = {
  id: "circuit-breaker-blind-spot",
  step: "deployment",
  run(ctx) {
    const data = stepData(ctx.evidence, "deployment");
    if (!data || data.deploymentController.toUpperCase() !== "ECS") return [];
    const primary = data.deployments.find((d) => d.status === "PRIMARY");
    if (!primary?.taskDefinition) return [];
    const breakerOn = data.circuitBreaker?.enable === true;
    const deploymentRef: EvidenceRef = {
      step: "deployment",
      kind: "deployment",
      id: primary.id,
      at: primary.createdAt,
      text: `PRIMARY ${shortName(primary.taskDefinition)} ${primary.rolloutState ?? "?"}: ${primary.runningCount}/${primary.desiredCount} running, failedTasks ${primary.failedTasks}; circuit breaker ${breakerOn ? "on" : "off"}`,
    };
    const vars = {
      deploymentTaskDefinition: shortName(primary.taskDefinition),
      rolloutState: primary.rolloutState ?? "unknown",
      failedTasks: String(primary.failedTasks),
    };

    if (!breakerOn) {
      if (primary.rolloutState !== "IN_PROGRESS" && primary.rolloutState !== "FAILED") return [];
      const failing = tasksOfDeployment(ctx.evidence, primary, ctx.messageFindings.filter(isFailure));
      if (primary.failedTasks === 0 && failing.length === 0) return [];
      const count = Math.max(primary.failedTasks, failing.length);
      const hit: CheckHit = {
        check: "circuit-breaker-blind-spot.disabled",
        step: "deployment",
        vars: { ...vars, failingTasks: String(count) },
        at: primary.createdAt,
        evidence: [deploymentRef, ...failing.slice(0, 4).map(taskRef)],
      };
      return [hit];
    }

    // The breaker only watches a rollout in progress; after it completed, exits are not the breaker's to count.
    if (primary.rolloutState !== "IN_PROGRESS" || primary.failedTasks !== 0) return [];
    const exitFindings = ctx.messageFindings.filter((f) => EXIT_SYMPTOMS.has(f.symptom));
    if (exitFindings.length === 0) return [];
    const exited = tasksOfDeployment(ctx.evidence, primary, exitFindings).filter((t) => t.startedAt !== undefined);
    if (exited.length === 0) return [];
    return [
      {
        check: "circuit-breaker-blind-spot.uncounted-exits",
        step: "deployment",
        vars: { ...vars, exitedTasks: String(exited.length) },
        at: exited.map((t) => t.stoppedAt ?? t.startedAt!).sort()[0],
        evidence: [deploymentRef, ...exited.slice(0, 4).map(taskRef)],
      },
    ];
  },
};

function isFailure(f: Finding): boolean {
  return f.symptom !== "normal" && f.severity !== "info";
}

/**
 * Stopped tasks the findings point at that run the deployment's task definition and stopped after it was
 * created. Evidence references keep only the newest few tasks per finding, so stopped tasks of the same
 * revision that stopped the same way (an essential container exited with a non-zero code, or was OOM-killed)
 * are counted too.
 */
function tasksOfDeployment(evidence: Evidence, deployment: Deployment, findings: readonly Finding[]): Task[] {
  const byArn = tasksByArn(evidence);
  const referenced = new Set(findings.flatMap((f) => f.evidence.filter((r) => r.kind === "task").map((r) => r.id)));
  const stopped = stepData(evidence, "stopped-tasks")?.stopped ?? [];
  const ofDeployment = (t: Task) =>
    t.taskDefinitionArn === deployment.taskDefinition &&
    (deployment.createdAt === undefined ||
      Date.parse(t.stoppedAt ?? t.createdAt ?? "") >= Date.parse(deployment.createdAt));
  const fromRefs = [...referenced]
    .map((arn) => byArn.get(arn))
    .filter((t): t is Task => t !== undefined && t.lastStatus !== "RUNNING");
  const anyExitFinding = findings.some((f) => EXIT_SYMPTOMS.has(f.symptom));
  const similar = anyExitFinding ? stopped.filter(exitedAfterStart) : [];
  const all = new Map([...fromRefs, ...similar].filter(ofDeployment).map((t) => [t.taskArn, t]));
  return [...all.values()].sort((a, b) => (b.stoppedAt ?? "").localeCompare(a.stoppedAt ?? ""));
}

function exitedAfterStart(task: Task): boolean {
  if (!task.startedAt) return false;
  return task.containers.some(
    (c) => (c.exitCode !== undefined && c.exitCode !== 0) || /OutOfMemory/i.test(c.reason ?? ""),
  );
}

function taskRef(task: Task): EvidenceRef {
  const exit = task.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  return {
    step: "stopped-tasks",
    kind: "task",
    id: task.taskArn,
    at: task.stoppedAt,
    text: [task.stopCode, task.stoppedReason, exit ? `${exit.name} exit ${exit.exitCode}` : undefined]
      .filter(Boolean)
      .join(" · "),
  };
}
