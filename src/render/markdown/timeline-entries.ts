import type { AuditRecord } from "../../actions/types";
import { stepData } from "../../evidence/read";
import type { Evidence } from "../../evidence/schema";

import { short } from "./format";
import { detectionText, SOURCE_ORDER, type TimelineEntry, type TimelineInput } from "./timeline";

/** The timeline's entries: every dated fact of the snapshot and the audit trail, one source at a time. */

// ── entries ─────────────────────────────────────────────────────────────────────────────────────────

/** Every dated fact of the snapshot and the audit trail, plus the extras, sorted by instant (then source, then input order). */
export function timelineEntries(input: Omit<TimelineInput, "exportedAt" | "diagnosis">): TimelineEntry[] {
  const out: TimelineEntry[] = [
    ...serviceEventEntries(input.evidence),
    ...deploymentEntries(input.evidence),
    ...taskStopEntries(input.evidence),
    ...targetHealthEntries(input.evidence),
    ...changeEntries(input.evidence),
    ...input.audit.map(actionEntry),
    ...(input.extras ?? []).flatMap((x) => x.entries),
  ];
  if (input.detection) {
    out.push({
      at: input.detection.at,
      source: "detection",
      text: `Evidence export requested (${detectionText(input.detection)})`,
      who: input.detection.who,
    });
  }
  return sortEntries(out);
}

/** Sorted by instant; entries whose time cannot be read are dropped. Stable for equal keys. */
export function sortEntries(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return entries
    .map((e, i) => ({ e, i, t: Date.parse(e.at) }))
    .filter((x) => Number.isFinite(x.t))
    .sort((a, b) => a.t - b.t || SOURCE_ORDER.indexOf(a.e.source) - SOURCE_ORDER.indexOf(b.e.source) || a.i - b.i)
    .map((x) => x.e);
}

function serviceEventEntries(evidence: Evidence): TimelineEntry[] {
  const data = stepData(evidence, "service-events");
  return (data?.events ?? []).map((e) => ({
    at: e.createdAt,
    source: "service-event" as const,
    text: `${e.message}${e.inWindow ? "" : " _(before the window)_"}`,
    ref: `service-events/event/${e.id}`,
    recovery: /has reached a steady state/i.test(e.message),
  }));
}

function deploymentEntries(evidence: Evidence): TimelineEntry[] {
  const data = stepData(evidence, "deployment");
  if (!data) return [];
  const out: TimelineEntry[] = [];
  const history = data.history.serviceDeployments;
  for (const d of data.deployments) {
    const td = short(d.taskDefinition);
    if (d.createdAt)
      out.push({
        at: d.createdAt,
        source: "deployment",
        text: `Deployment ${d.id} created (${d.status}) → ${td}, desired ${d.desiredCount}`,
        ref: `deployment/deployment/${d.id}`,
        change: d.status === "PRIMARY" && history.length === 0,
      });
    if (d.updatedAt && d.rolloutState && d.rolloutState !== "IN_PROGRESS")
      out.push({
        at: d.updatedAt,
        source: "deployment",
        text: `Deployment ${d.id} rollout ${d.rolloutState}${d.rolloutStateReason ? `: ${d.rolloutStateReason}` : ""} (${d.runningCount}/${d.desiredCount} running, ${d.failedTasks} failed tasks)`,
        ref: `deployment/deployment/${d.id}`,
        recovery: d.rolloutState === "COMPLETED" && d.status === "PRIMARY",
      });
  }
  for (const s of history) {
    const id = short(s.serviceDeploymentArn);
    const target = short(s.targetTaskDefinition ?? s.targetServiceRevisionArn);
    const started = s.startedAt ?? s.createdAt;
    if (started)
      out.push({
        at: started,
        source: "deployment",
        text: `Service deployment ${id} started → ${target}`,
        ref: `deployment/deployment/${id}`,
        change: true,
      });
    if (s.rollback?.startedAt)
      out.push({
        at: s.rollback.startedAt,
        source: "deployment",
        text: `Rollback of ${id} started${s.rollback.reason ? `: ${s.rollback.reason}` : ""}`,
        ref: `deployment/deployment/${id}`,
      });
    const ended = s.finishedAt ?? s.stoppedAt;
    if (ended) {
      const breaker = s.circuitBreaker?.failureCount
        ? ` (circuit breaker ${s.circuitBreaker.failureCount}/${s.circuitBreaker.threshold ?? "?"})`
        : "";
      out.push({
        at: ended,
        source: "deployment",
        text: `Service deployment ${id} ended ${s.status ?? "?"}${s.statusReason ? `: ${s.statusReason}` : ""}${breaker}`,
        ref: `deployment/deployment/${id}`,
        recovery: s.status === "SUCCESSFUL",
      });
    }
  }
  return out;
}

function taskStopEntries(evidence: Evidence): TimelineEntry[] {
  const data = stepData(evidence, "stopped-tasks");
  return (data?.stopped ?? [])
    .filter((t) => t.stoppedAt ?? t.stoppingAt)
    .map((t) => {
      const containers = t.containers
        .filter((c) => c.exitCode !== undefined || c.reason)
        .map((c) => `${c.name}: ${c.reason ?? ""}${c.exitCode !== undefined ? ` exit ${c.exitCode}` : ""}`.trim());
      const id = short(t.taskArn);
      return {
        at: (t.stoppedAt ?? t.stoppingAt)!,
        source: "task-stop" as const,
        text: `Task ${id} (${short(t.taskDefinitionArn)}) stopped${t.stopCode ? ` [${t.stopCode}]` : ""}: ${t.stoppedReason ?? "no reason given"}${containers.length ? ` — ${containers.join("; ")}` : ""}`,
        ref: `stopped-tasks/task/${id}`,
      };
    });
}

function targetHealthEntries(evidence: Evidence): TimelineEntry[] {
  const data = stepData(evidence, "target-health");
  return (data?.targetGroups ?? []).map((g) => {
    const counts = new Map<string, number>();
    for (const t of g.targets) {
      const key = t.reason ? `${t.state} (${t.reason})` : t.state;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const states = [...counts].map(([k, n]) => `${n} ${k}`).join(", ") || "no targets registered";
    const name = g.targetGroupArn.includes("targetgroup/")
      ? g.targetGroupArn.slice(g.targetGroupArn.indexOf("targetgroup/") + 12)
      : g.targetGroupArn;
    return {
      at: evidence.collectedAt,
      source: "target-health" as const,
      text: `Target group ${name} observed: ${states}${g.healthCheck ? ` — health check ${g.healthCheck.protocol ?? ""} ${g.healthCheck.path ?? ""} port ${g.healthCheck.port ?? "traffic-port"}`.trimEnd() : ""}`,
      ref: `target-health/target/${name}`,
    };
  });
}

function changeEntries(evidence: Evidence): TimelineEntry[] {
  const data = stepData(evidence, "changes");
  const previous = evidence.taskDefinitions.find((t) => t.role === "previous")?.taskDefinitionArn;
  const current = evidence.taskDefinitions.find((t) => t.role === "current")?.taskDefinitionArn;
  return (data?.events ?? []).map((e) => {
    const params = describeParams(e.eventName, e.requestParameters, { previous, current });
    return {
      at: e.eventTime,
      source: "change" as const,
      text: `${e.eventName}${e.errorCode ? ` failed with ${e.errorCode}${e.errorMessage ? ` (${e.errorMessage})` : ""}` : ""}${params ? ` — ${params}` : ""}`,
      who: e.actor ?? e.username,
      ref: `changes/change/${e.eventId}`,
      change: !e.errorCode,
    };
  });
}

/** What a CloudTrail call changed, old → new where the snapshot knows the old value. */
function describeParams(
  eventName: string,
  params: Record<string, unknown> | undefined,
  revisions: { previous?: string | undefined; current?: string | undefined },
): string {
  if (!params) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (key === "cluster" || key === "service" || value === null || value === undefined || value === false) continue;
    if (key === "taskDefinition" && typeof value === "string" && eventName === "UpdateService") {
      const known = revisions.current && sameRevision(value, revisions.current) ? revisions.previous : undefined;
      parts.push(`taskDefinition ${known ? `${short(known)} → ` : "→ "}${short(value)}`);
      continue;
    }
    if (key === "containerDefinitions" && Array.isArray(value)) {
      const images = value.map((c) => (c as { image?: unknown }).image).filter((i) => typeof i === "string");
      parts.push(`images → ${images.join(", ") || "?"}`);
      continue;
    }
    const text = typeof value === "string" ? short(value) : JSON.stringify(value);
    if (typeof value === "object" && text.length > 80) {
      parts.push(`${key} → (${Array.isArray(value) ? `${value.length} items` : "object"}, in evidence.json)`);
      continue;
    }
    parts.push(`${key} → ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`);
    if (parts.length >= 6) break;
  }
  return parts.join(", ");
}

function sameRevision(a: string, b: string): boolean {
  return short(a) === short(b);
}

function actionEntry(r: AuditRecord): TimelineEntry {
  const what =
    r.kind === "rollback"
      ? `roll back ${short(r.expect.taskDefinition)} → ${short(r.change.taskDefinition)}`
      : `scale desired ${r.expect.desiredCount} → ${r.change.desiredCount ?? "?"}`;
  const state =
    r.before && r.after
      ? ` (before: ${short(r.before.taskDefinition)} × ${r.before.desiredCount}; after: ${short(r.after.taskDefinition)} × ${r.after.desiredCount})`
      : "";
  return {
    at: r.at,
    source: "action",
    text: `${what}: **${r.outcome}**${r.reason ? ` — ${r.reason}` : ""}${state} [proposal ${r.proposalId}]`,
    who: `${r.actor.id} via ${r.actor.via}`,
    ref: `audit/${r.proposalId}`,
  };
}
