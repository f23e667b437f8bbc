import { differenceInSeconds } from "date-fns";
import type { AuditRecord } from "../../actions/types";
import type { Diagnosis, EvidenceRef } from "../../diagnose/types";
import { stepData } from "../../evidence/read";
import type { Evidence } from "../../evidence/schema";
import { shortArns } from "../present";

/**
 * timeline.md of the evidence export: one time-ordered timeline of everything the snapshot and the audit trail hold
 * (service events, deployments and rollouts, task stops, target health, CloudTrail changes, bot actions, and any
 * optional source such as alarms or a stopped-task archive), then the diagnosis and the image digests that ran. It
 * opens with the questions a post-incident review asks: impact window, detection, suspected trigger, what was done.
 * Pure: times are written in UTC whatever offset an input carries, with offsets relative to the impact start.
 */

export type TimelineSource =
  | "service-event"
  | "deployment"
  | "task-stop"
  | "target-health"
  | "change"
  | "action"
  | "alarm"
  | "archive"
  | "detection";

export interface TimelineEntry {
  /** ISO-8601 with any offset; rendered in UTC. */
  readonly at: string;
  readonly source: TimelineSource;
  readonly text: string;
  /** Who did it (a principal, a Slack user), when known. */
  readonly who?: string | undefined;
  /** Where in the evidence it comes from, e.g. `stopped-tasks/task/0a1b…`. */
  readonly ref?: string | undefined;
  /** The service recovered here (steady state, a completed rollout, an alarm back to OK). */
  readonly recovery?: boolean | undefined;
  /** A change made by someone: a candidate trigger when it precedes the onset. */
  readonly change?: boolean | undefined;
}

/** How the export was asked for. */
export interface Detection {
  readonly via: "cli" | "slack-command" | "slack-button" | "alarm";
  /** A Slack user id, a local user name, or an alarm name. */
  readonly who?: string | undefined;
  readonly at: string;
}

/** An optional input beside the snapshot (alarms and incidents, the stopped-task archive), already in entries. */
export interface ExtraTimeline {
  readonly name: string;
  readonly entries: readonly TimelineEntry[];
}

export interface TimelineInput {
  readonly evidence: Evidence;
  readonly diagnosis: Diagnosis;
  readonly audit: readonly AuditRecord[];
  /** Why the audit trail is missing, when it could not be read. */
  readonly auditError?: string | undefined;
  readonly extras?: readonly ExtraTimeline[] | undefined;
  readonly detection?: Detection | undefined;
  readonly exportedAt: string;
}

const SOURCE_LABEL: Record<TimelineSource, string> = {
  "service-event": "ECS event",
  deployment: "deployment",
  "task-stop": "task stop",
  "target-health": "target health",
  change: "CloudTrail",
  action: "ecs-medic action",
  alarm: "alarm",
  archive: "task stop (archive)",
  detection: "detection",
};

/** Sources in the order they are listed when two entries share a second. */
const SOURCE_ORDER: readonly TimelineSource[] = [
  "change",
  "deployment",
  "alarm",
  "service-event",
  "task-stop",
  "archive",
  "target-health",
  "detection",
  "action",
];

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

// ── rendering ───────────────────────────────────────────────────────────────────────────────────────

/** Renders timeline.md. */
export function renderTimeline(input: TimelineInput): string {
  const { evidence, diagnosis } = input;
  const entries = timelineEntries(input);
  const onset = diagnosis.onset;
  const origin = onset ?? evidence.window.since;
  const t = evidence.target;
  const lines: string[] = [];
  lines.push(`# Incident evidence: ${t.service} (${t.cluster}, ${t.region})`, "");
  lines.push(
    `_Post-incident review draft generated by ecs-medic ${evidence.tool.version} at ${utc(input.exportedAt)}. Window ${utc(evidence.window.since)} → ${utc(evidence.window.until)}; evidence collected ${utc(evidence.collectedAt)}. Times are UTC; T± is relative to ${onset ? "the impact start" : "the window start"}._`,
    "",
  );

  lines.push("## Summary", "");
  const recovery = onset ? entries.find((e) => e.recovery && Date.parse(e.at) > Date.parse(onset)) : undefined;
  lines.push(`- **Verdict:** ${diagnosis.verdict} — ${md(diagnosis.headline)}`);
  lines.push(`- **Impact window:** ${impactText(onset, recovery, diagnosis, evidence)}`);
  lines.push(`- **Detection:** ${detectionLine(input, entries)}`);
  lines.push(`- **Suspected trigger:** ${triggerText(input, entries, onset)}`);
  lines.push(`- **What was done:** ${doneText(input)}`);
  lines.push(
    `- **Service at collection:** ${diagnosis.service.running}/${diagnosis.service.desired} running, ${diagnosis.service.pending} pending, task definition ${code(short(diagnosis.service.taskDefinition))}${diagnosis.service.rollout ? `, rollout ${diagnosis.service.rollout}` : ""}`,
  );
  lines.push("");

  lines.push(`## Timeline`, "");
  if (entries.length === 0) lines.push("_No dated events in the evidence._");
  else {
    lines.push("| Time (UTC) | T± | Source | What | Who |", "|---|---|---|---|---|");
    let day = "";
    for (const e of entries) {
      // The date once per day, as its own row: the time column stays narrow and readable.
      const stamp = utc(e.at);
      if (stamp.slice(0, 10) !== day) {
        day = stamp.slice(0, 10);
        lines.push(`| **${day}** | | | | |`);
      }
      lines.push(
        `| ${stamp.slice(11)} | ${offset(e.at, origin)} | ${SOURCE_LABEL[e.source]} | ${cell(shortArns(e.text))}${e.recovery ? " ✅" : ""}${e.ref ? ` <sub>${cell(e.ref)}</sub>` : ""} | ${e.who ? cell(shortArns(e.who)) : ""} |`,
      );
    }
  }
  lines.push("");

  lines.push("## Diagnosis", "");
  lines.push(`**${diagnosis.verdict.toUpperCase()}** — ${md(diagnosis.headline)}`, "");
  if (diagnosis.primary)
    lines.push(
      `Primary finding: ${code(diagnosis.primary.finding)} (confidence ${Math.round(diagnosis.primary.confidence * 100)}%)${diagnosis.primary.explainedBy.length ? `, explained by ${diagnosis.primary.explainedBy.map(code).join(", ")}` : ""}.`,
      "",
    );
  if (diagnosis.findings.length === 0) lines.push("_No findings._", "");
  diagnosis.findings.forEach((f, i) => {
    lines.push(`### ${i + 1}. ${md(f.title)}`, "");
    lines.push(
      `${f.severity} · ${code(f.symptom)} · ${f.role} · seen ${f.count}×${f.firstSeen ? ` from ${utc(f.firstSeen)}` : ""}${f.lastSeen ? ` to ${utc(f.lastSeen)}` : ""} · rule ${code(f.rule)}`,
      "",
    );
    lines.push(md(f.detail), "");
    if (f.fix) lines.push(`**Fix:** ${md(f.fix)}`, "");
    if (f.evidence.length) {
      lines.push("Evidence:");
      for (const ref of f.evidence) lines.push(`- ${refText(ref)}`);
      lines.push("");
    }
  });
  const notes = diagnosis.notes;
  if (notes.length) {
    lines.push("Notes:");
    for (const n of notes) lines.push(`- ${md(n)}`);
    lines.push("");
  }

  lines.push("## Image digests that ran", "");
  const digests = imageDigests(evidence);
  if (digests.length === 0) lines.push("_No task in the evidence reported an image digest._");
  else {
    lines.push("| Task definition | Container | Image | Digest | Tasks |", "|---|---|---|---|---|");
    for (const d of digests)
      lines.push(
        `| ${cell(d.taskDefinition)} | ${cell(d.container)} | ${cell(d.image)} | \`${d.digest}\` | ${d.tasks} |`,
      );
  }
  lines.push("");

  lines.push("## Sources", "");
  for (const s of evidence.steps)
    lines.push(
      `- step ${code(s.id)}: ${s.status}${s.errors.length ? ` — ${s.errors.map((e) => md(`${e.code}: ${e.message}`)).join("; ")}` : ""}`,
    );
  lines.push(
    `- audit trail: ${input.auditError ? `not read (${md(input.auditError)})` : `${input.audit.length} record${input.audit.length === 1 ? "" : "s"}`}`,
  );
  for (const x of input.extras ?? []) lines.push(`- ${md(x.name)}: ${x.entries.length} entries`);
  lines.push("");
  return `${lines.join("\n")}\n`;
}

function impactText(
  onset: string | undefined,
  recovery: TimelineEntry | undefined,
  diagnosis: Diagnosis,
  evidence: Evidence,
): string {
  if (!onset)
    return diagnosis.verdict === "healthy" ? "no failure seen in the window" : "start not dated in the evidence";
  if (recovery)
    return `${utc(onset)} → ${utc(recovery.at)} (${duration(onset, recovery.at)}; recovery: ${md(clip(recovery.text, 90))})`;
  const still = diagnosis.verdict === "healthy" ? "no recovery event seen" : `still ${diagnosis.verdict}`;
  return `${utc(onset)} → not recovered at collection (${utc(evidence.collectedAt)}, ${still}; ${duration(onset, evidence.collectedAt)} so far)`;
}

function detectionLine(input: TimelineInput, entries: readonly TimelineEntry[]): string {
  const alarm = entries.find((e) => e.source === "alarm");
  const parts: string[] = [];
  if (alarm) parts.push(`alarm at ${utc(alarm.at)}: ${md(clip(alarm.text, 120))}`);
  if (input.detection) parts.push(`${detectionText(input.detection)} at ${utc(input.detection.at)}`);
  if (parts.length === 0) return "not recorded";
  return parts.join("; ");
}

function detectionText(d: Detection): string {
  const who = d.who ? ` by ${d.who}` : "";
  switch (d.via) {
    case "cli":
      return `\`ecs-medic evidence\`${who}`;
    case "slack-command":
      return `\`/ecs evidence\` in Slack${who}`;
    case "slack-button":
      return `Export evidence button in Slack${who}`;
    case "alarm":
      return `alarm${who}`;
  }
}

function triggerText(input: TimelineInput, entries: readonly TimelineEntry[], onset: string | undefined): string {
  const primary = input.diagnosis.findings.find((f) => f.id === input.diagnosis.primary?.finding);
  const cause = primary ? `${md(primary.title)} (${code(primary.symptom)})` : undefined;
  if (!onset) return cause ?? "none identified";
  // A person's CloudTrail call names who; a deployment entry is only the effect of it (or of an automation).
  const before = entries.filter((e) => e.change && Date.parse(e.at) <= Date.parse(onset));
  const last = before.filter((e) => e.source === "change").pop() ?? before[before.length - 1];
  const change = last
    ? `${SOURCE_LABEL[last.source]} ${md(clip(last.text, 160))}${last.who ? ` by ${md(shortArns(last.who))}` : ""} at ${utc(last.at)} (${offset(last.at, onset)})`
    : undefined;
  if (change && cause) return `${change}; the diagnosis points to ${cause}`;
  return change ?? cause ?? "no change found before the impact start";
}

function doneText(input: TimelineInput): string {
  if (input.auditError) return `unknown — the audit trail could not be read (${md(input.auditError)})`;
  if (input.audit.length === 0) return "no ecs-medic action recorded";
  return input.audit.map((r) => `${r.kind} ${r.outcome} by ${r.actor.id} (${r.actor.via}) at ${utc(r.at)}`).join("; ");
}

function refText(ref: EvidenceRef): string {
  const at = ref.at ? `${utc(ref.at)} ` : "";
  return `${at}${code(`${ref.step}/${ref.kind}/${short(ref.id)}`)}${ref.text ? ` ${md(clip(ref.text, 240))}` : ""}`;
}

/** Image digests per task definition and container, from the running and stopped tasks of the snapshot. */
export function imageDigests(
  evidence: Evidence,
): { taskDefinition: string; container: string; image: string; digest: string; tasks: number }[] {
  const data = stepData(evidence, "stopped-tasks");
  const rows = new Map<
    string,
    { taskDefinition: string; container: string; image: string; digest: string; tasks: number }
  >();
  for (const task of [...(data?.running ?? []), ...(data?.stopped ?? [])]) {
    for (const c of task.containers) {
      if (!c.imageDigest) continue;
      const td = short(task.taskDefinitionArn);
      const key = `${td}\u0000${c.name}\u0000${c.imageDigest}`;
      const row = rows.get(key);
      if (row) row.tasks += 1;
      else
        rows.set(key, {
          taskDefinition: td,
          container: c.name,
          image: c.image ?? "?",
          digest: c.imageDigest,
          tasks: 1,
        });
    }
  }
  return [...rows.values()].sort(
    (a, b) => a.taskDefinition.localeCompare(b.taskDefinition) || a.container.localeCompare(b.container),
  );
}

// ── formatting ──────────────────────────────────────────────────────────────────────────────────────

/** `2026-11-26 09:12:03Z` for any ISO input, whatever its offset. */
export function utc(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** `T−1h 05m`, `T+0`, `T+42s` relative to `origin`. */
export function offset(iso: string, origin: string): string {
  const seconds = differenceInSeconds(new Date(iso), new Date(origin));
  if (!Number.isFinite(seconds)) return "";
  if (seconds === 0) return "T+0";
  return `T${seconds < 0 ? "−" : "+"}${span(Math.abs(seconds))}`;
}

function duration(from: string, to: string): string {
  return span(Math.max(0, differenceInSeconds(new Date(to), new Date(from))));
}

function span(total: number): string {
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return s ? `${m}m ${String(s).padStart(2, "0")}s` : `${m}m`;
  return `${s}s`;
}

/** The last path segment of an ARN (`payment-api:42`, a task id), or the text itself. */
function short(value: string | undefined): string {
  if (!value) return "?";
  return value.startsWith("arn:") ? (value.split("/").pop() ?? value) : value;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Text safe in running Markdown: no HTML, no accidental emphasis from `*` or `_` in AWS messages. */
function md(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/([*_`\\[\]])/g, "\\$1");
}

/** A table cell: Markdown-safe, no pipe, one line. Keeps `**` and `_…_` the entry builders add on purpose. */
function cell(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/\|/g, "\\|")
    .replace(/`/g, "'");
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
