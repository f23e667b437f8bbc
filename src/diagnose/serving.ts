import type { Evidence, Task } from "../evidence/schema";
import { stepData } from "../evidence/read";
import { shortName } from "./template";

/** Whether users are being served, and the one line that says it ("Serving: 6/6 healthy on payment-api:42 · …"). */
export interface Serving {
  /** `false` when nothing can answer: no healthy target in a load-balanced service, or no running task. */
  readonly canServe: boolean;
  /** Undefined when the evidence cannot tell (no task and no target data). */
  readonly known: boolean;
  readonly line: string;
}

const running = (t: Task) => t.lastStatus === "RUNNING";

/**
 * What serves, read from the target health (load-balanced services: every target group needs a healthy target) or
 * the running tasks, grouped by revision; plus what the current deployment cannot do ("payment-api:43 cannot start",
 * "payment-api:43: 1 of 4 running"). Pure.
 */
export function serving(evidence: Evidence): Serving {
  const svc = evidence.service;
  const tasks = stepData(evidence, "stopped-tasks")?.running;
  const groups = stepData(evidence, "target-health")?.targetGroups;
  const byRevision = new Map<string, number>();
  for (const t of (tasks ?? []).filter(running)) {
    const name = shortName(t.taskDefinitionArn) ?? "?";
    byRevision.set(name, (byRevision.get(name) ?? 0) + 1);
  }
  const revisions = [...byRevision].sort((a, b) => b[1] - a[1]);
  const on =
    revisions.length > 0
      ? ` on ${revisions.map(([name, n]) => (revisions.length > 1 ? `${name} (${n})` : name)).join(", ")}`
      : "";

  if (svc.desiredCount === 0 && svc.runningCount === 0)
    return { canServe: false, known: true, line: "Not serving: scaled to 0 tasks (desired 0)" };

  let canServe: boolean;
  let head: string;
  const lb = svc.loadBalancers.length > 0 && groups && groups.length > 0;
  if (lb) {
    const targets = groups.flatMap((g) => g.targets);
    const registered = targets.filter((t) => t.state !== "draining" && t.state !== "unused");
    const healthy = targets.filter((t) => t.state === "healthy").length;
    canServe = groups.every((g) => g.targets.some((t) => t.state === "healthy"));
    head = `${canServe ? "Serving" : "Not serving"}: ${healthy}/${registered.length} target(s) healthy${on}`;
  } else if (tasks) {
    const count = tasks.filter(running).length;
    canServe = count > 0;
    head = `${canServe ? "Serving" : "Not serving"}: ${count}/${svc.desiredCount} task(s) running${on}`;
  } else {
    canServe = svc.runningCount > 0;
    return {
      canServe,
      known: false,
      line: `${svc.runningCount}/${svc.desiredCount} task(s) running (no task or target data to say more)`,
    };
  }
  const blocked = blockedRevision(evidence, byRevision);
  return { canServe, known: true, line: blocked ? `${head} · ${blocked}` : head };
}

/** The current deployment's revision when it is not getting its tasks up: "payment-api:43 cannot start". */
function blockedRevision(evidence: Evidence, byRevision: ReadonlyMap<string, number>): string | undefined {
  const primary = stepData(evidence, "deployment")?.deployments.find((d) => d.status === "PRIMARY");
  if (!primary?.taskDefinition || primary.rolloutState === "COMPLETED") return undefined;
  const name = shortName(primary.taskDefinition) ?? "?";
  const up = byRevision.get(name) ?? 0;
  const stopped = (stepData(evidence, "stopped-tasks")?.stopped ?? []).some(
    (t) => shortName(t.taskDefinitionArn) === name,
  );
  if (up === 0 && (stopped || primary.failedTasks > 0)) return `${name} cannot start`;
  if (primary.rolloutState === "FAILED") return `${name}: rollout failed (${up}/${primary.desiredCount} running)`;
  if (up < primary.desiredCount && (stopped || primary.failedTasks > 0))
    return `${name}: ${up} of ${primary.desiredCount} running, tasks failing`;
  return undefined;
}
