import type { TargetHealthData, Task } from "../../evidence/schema";
import { shortName } from "../template";
import type { EvidenceRef } from "../types";
import type { Check, CheckHit } from "./check";
import { secondsBetween, stepData } from "./evidence-access";

type Group = TargetHealthData["targetGroups"][number];
type Target = Group["targets"][number];

/** ELB's defaults for an HTTP(S) target group, used when a value is absent. */
const DEFAULT_INTERVAL_SECONDS = 30;
const DEFAULT_HEALTHY_THRESHOLD = 5;

/**
 * Step 4 — the target group's health check itself is wrong, rather than the app:
 * - every unhealthy target fails with `Target.ResponseCodeMismatch` and code 404: the path does not exist;
 * - the app answers 200 but the matcher excludes it;
 * - the timeout is not shorter than the interval;
 * - no health-check grace period while tasks are stopped for failing ELB health checks sooner than they could
 *   ever have passed (2 × interval × healthy threshold after they started): slow starters are killed.
 * Target groups DescribeTargetGroups could not describe carry no settings and are skipped.
 */
export const healthCheckMisconfiguredCheck: Check = {
  id: "health-check-misconfigured",
  step: "target-health",
  run(ctx) {
    const data = stepData(ctx.evidence, "target-health");
    if (!data) return [];
    const groups = data.targetGroups.filter(
      (g): g is Group & { healthCheck: NonNullable<Group["healthCheck"]> } => g.healthCheck !== undefined,
    );
    const stopped = stepData(ctx.evidence, "stopped-tasks")?.stopped ?? [];
    const grace = ctx.evidence.service.healthCheckGracePeriodSeconds ?? 0;
    const hits: CheckHit[] = [];

    for (const group of groups) {
      const hc = group.healthCheck;
      const targetGroup = group.targetGroupName ?? shortName(group.targetGroupArn) ?? group.targetGroupArn;
      const containerPort = group.containerPort ?? group.port;
      const vars = {
        targetGroup,
        healthCheckPath: hc.path ?? "/",
        healthCheckPort:
          !hc.port || hc.port === "traffic-port" ? `the traffic port (${containerPort ?? "?"})` : hc.port,
        matcher: hc.matcher?.httpCode ?? hc.matcher?.grpcCode ?? "200",
        containerPort: containerPort !== undefined ? String(containerPort) : undefined,
      };
      const settingsRef: EvidenceRef = {
        step: "target-health",
        kind: "config",
        id: group.targetGroupArn,
        text: `${targetGroup}: ${hc.protocol ?? "HTTP"} ${vars.healthCheckPath} on ${vars.healthCheckPort}, matcher ${vars.matcher}, every ${hc.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS}s, timeout ${hc.timeoutSeconds ?? "?"}s, healthy after ${hc.healthyThresholdCount ?? DEFAULT_HEALTHY_THRESHOLD}`,
      };

      const mismatched = group.targets.filter(
        (t) => t.state === "unhealthy" && t.reason === "Target.ResponseCodeMismatch",
      );
      const codes = mismatched.map((t) => responseCodes(t.description));
      const known = codes.every((c) => c.length > 0);
      if (mismatched.length > 0 && known && codes.every((c) => c.every((code) => code === 404))) {
        hits.push({
          check: "health-check-misconfigured.path-not-found",
          step: "target-health",
          vars: { ...vars, codes: "404" },
          evidence: [settingsRef, ...mismatched.slice(0, 4).map(targetRef(targetGroup))],
        });
      }
      const returns200 = mismatched.filter((_, i) => codes[i]!.includes(200));
      const matcher = hc.matcher?.httpCode;
      if (returns200.length > 0 && (matcher === undefined || !matcherAccepts(matcher, 200))) {
        hits.push({
          check: "health-check-misconfigured.matcher-excludes-200",
          step: "target-health",
          vars: { ...vars, codes: "200" },
          evidence: [settingsRef, ...returns200.slice(0, 4).map(targetRef(targetGroup))],
        });
      }

      if (
        hc.timeoutSeconds !== undefined &&
        hc.intervalSeconds !== undefined &&
        hc.timeoutSeconds >= hc.intervalSeconds
      ) {
        hits.push({
          check: "health-check-misconfigured.timeout-not-below-interval",
          step: "target-health",
          vars: { ...vars, timeoutSeconds: String(hc.timeoutSeconds), intervalSeconds: String(hc.intervalSeconds) },
          evidence: [settingsRef],
        });
      }

      if (grace === 0) {
        const interval = hc.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
        const threshold = hc.healthyThresholdCount ?? DEFAULT_HEALTHY_THRESHOLD;
        const limit = 2 * interval * threshold;
        const killedEarly = stopped.filter(
          (t) => stoppedByThisGroup(t, group, groups.length) && lifetime(t) !== undefined && lifetime(t)! < limit,
        );
        if (killedEarly.length > 0) {
          const fastest = Math.min(...killedEarly.map((t) => lifetime(t)!));
          hits.push({
            check: "health-check-misconfigured.no-grace-period",
            step: "target-health",
            vars: {
              ...vars,
              killedTasks: String(killedEarly.length),
              fastestSeconds: String(Math.round(fastest)),
              limitSeconds: String(limit),
            },
            at: killedEarly
              .map((t) => t.stoppingAt ?? t.stoppedAt)
              .filter((t): t is string => t !== undefined)
              .sort()[0],
            evidence: [
              settingsRef,
              ...killedEarly.slice(0, 4).map((t): EvidenceRef => ({
                step: "stopped-tasks",
                kind: "task",
                id: t.taskArn,
                at: t.stoppedAt,
                text: `stopped ${Math.round(lifetime(t)!)}s after it started: ${t.stoppedReason ?? ""}`,
              })),
            ],
          });
        }
      }
    }
    return hits;
  },
};

/** "Health checks failed with these codes: [404]" → [404]; "[502, 503]" → [502, 503]; nothing parseable → []. */
export function responseCodes(description: string | undefined): number[] {
  const list = /codes?:?\s*\[([^\]]*)\]/i.exec(description ?? "")?.[1];
  if (!list) return [];
  return list
    .split(/[,\s]+/)
    .filter((s) => /^\d{3}$/.test(s))
    .map(Number);
}

/** ELB's HttpCode syntax: "200", "200,202", "200-299". */
export function matcherAccepts(matcher: string, code: number): boolean {
  return matcher.split(",").some((part) => {
    const [from, to] = part
      .trim()
      .split("-")
      .map((s) => Number(s.trim()));
    if (from === undefined || Number.isNaN(from)) return false;
    return to === undefined || Number.isNaN(to) ? code === from : code >= from && code <= to;
  });
}

function stoppedByThisGroup(task: Task, group: Group, groupCount: number): boolean {
  const reason = task.stoppedReason ?? "";
  if (!/failed (?:ELB|load balancer) health checks/i.test(reason)) return false;
  if (groupCount === 1) return true;
  return (
    reason.includes(group.targetGroupArn) ||
    (group.targetGroupName !== undefined && reason.includes(`targetgroup/${group.targetGroupName}/`))
  );
}

/**
 * How long the task ran before ECS decided to stop it: `stoppingAt` when known, because `stoppedAt` also counts
 * the target's deregistration delay (300 s by default) and the container stop timeout.
 */
function lifetime(task: Task): number | undefined {
  const end = task.stoppingAt ?? task.stoppedAt;
  if (!task.startedAt || !end) return undefined;
  const seconds = secondsBetween(task.startedAt, end);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function targetRef(targetGroup: string) {
  return (t: Target): EvidenceRef => ({
    step: "target-health",
    kind: "target",
    id: `${t.id}${t.port ? `:${t.port}` : ""}`,
    text: `${targetGroup}: ${t.state} ${[t.reason, t.description].filter(Boolean).join(": ")}`,
  });
}
