import { shortName } from "../../diagnose/template";
import type { Diagnosis, EvidenceRef, Finding } from "../../diagnose/types";
import type { Evidence } from "../../evidence/schema";

import { cutPlain, enforceLimits, textLength, type KnownBlock, type SlackMessage } from "../../slack/limits";
import {
  IN_THREAD,
  NEXT_FINDINGS,
  OK_SUMMARY,
  PROBLEM_SUMMARY,
  REPORT_FIX,
  REPORT_WHY,
  type RenderOptions,
  SEVERITY_EMOJI,
  STEP_EMOJI,
  VERDICT_EMOJI,
} from "./common";
import {
  type LogIndex,
  clip,
  code,
  context,
  ecsConsoleUrl,
  escapeMrkdwn,
  link,
  logIndex,
  logStreamUrl,
  mention,
  prose,
  section,
  shortTask,
  slackTime,
  span,
} from "./mrkdwn";
import { confidenceLowered, groupedEvidence, lowerFirst, shortArns } from "../present";
import { actionButtons, proposalReason } from "./buttons";
import { changesContext } from "./changes";

export { actionButtons, proposalButton, proposalReason, type ProposalPayload, type TargetPayload } from "./buttons";

// ── the report ──────────────────────────────────────────────────────────────────────────────────

/**
 * The final report, in this order: verdict and headline (header); the service at a glance; the primary finding
 * with its evidence quoted, why and fix; what explains it ("because …"); the ten steps as a checklist; the next
 * findings with their fix; the proposed actions (each button says exactly what it changes and asks to confirm);
 * when and for whom, with links. Anything that does not fit is cut visibly and posted by `diagnosisThread`.
 */
export function diagnosisMessage(d: Diagnosis, opts: RenderOptions): SlackMessage {
  return enforceLimits(buildReport(d, opts)).message;
}

/** The findings the report shows: the primary one, what explains it, and the next few that are not info. */
export function reportSelection(d: Diagnosis): { primary?: Finding; causes: Finding[]; next: Finding[] } {
  const byId = new Map(d.findings.map((f) => [f.id, f]));
  const primary = d.primary ? byId.get(d.primary.finding) : undefined;
  const causes = (d.primary?.explainedBy ?? []).flatMap((id) => byId.get(id) ?? []);
  const shown = new Set([primary?.id, ...causes.map((c) => c.id)]);
  // Without a primary finding the next few lead; with one, what follows from it (effects) is in the thread: the top
  // message must fit a phone screen at 3 a.m.
  const next = primary
    ? []
    : d.findings.filter((f) => !shown.has(f.id) && f.severity !== "info" && f.role === "cause").slice(0, NEXT_FINDINGS);
  return { ...(primary ? { primary } : {}), causes, next };
}

export function reportFindings(d: Diagnosis): Finding[] {
  const { primary, causes, next } = reportSelection(d);
  return [...(primary ? [primary] : []), ...causes, ...next];
}

export function buildReport(d: Diagnosis, opts: RenderOptions): SlackMessage {
  const logs = logIndex(opts.evidence, opts.region);
  const service = d.target.service;
  const { primary, causes, next } = reportSelection(d);
  const inThread = d.findings.length - reportFindings(d).length;

  const blocks: KnownBlock[] = [];
  // "payment-api is healthy: …" names the service already; "Container app was killed …" does not.
  const named = d.headline.startsWith(`${service} `);
  blocks.push({
    type: "header",
    block_id: "verdict",
    text: {
      type: "plain_text",
      text: cutPlain(`${VERDICT_EMOJI[d.verdict]} ${named ? "" : `${service}: `}${d.headline}`, 150),
      emoji: true,
    },
  });
  // The user impact in words, right under the verdict: "Serving: 6/6 target(s) healthy on payment-api:42 · …".
  blocks.push(context([`*${escapeMrkdwn(d.serving)}*`], "serving"));
  // Evidence that could not be read lowers the confidence: say so at the top, naming the denied action.
  const lowered = confidenceLowered(d);
  if (lowered) blocks.push(context([`:warning: ${prose(lowered)}`], "confidence"));
  blocks.push(context([glance(d, opts)], "glance"));

  if (primary) {
    // The top message says what (the header) and what to do; why, the evidence and the check order open the
    // thread, where the primary finding leads in full.
    if (primary.fix) blocks.push(section(`:wrench: *Fix:* ${clipped(primary.fix, REPORT_FIX)}`, "primary"));
    // What explains it, in one line each; its evidence and fix lead the thread with the primary finding.
    causes.forEach((c, i) =>
      blocks.push(context([`:link: *Because:* ${prose(clip(lowerFirst(c.title), 280))}`], `because-${i}`)),
    );
  } else if (d.verdict !== "healthy") {
    blocks.push(
      section(
        `:mag: *No single cause stands out.* ${prose(d.headline)} — read the findings below and the thread.`,
        "primary",
      ),
    );
  }
  // Step 10's one line (src/render/slack/changes.ts): the suspect change, or "recent changes: still reading".
  const changes = changesContext(d, new Set(reportFindings(d).map((f) => f.id)));
  if (changes) blocks.push(changes);

  if (next.length > 0) {
    blocks.push({ type: "divider", block_id: "d2" });
    next.forEach((f, i) =>
      blocks.push(
        section(findingText(f, d, logs, opts, { evidence: 0, why: false, compact: true }), `finding-${i + 1}`),
      ),
    );
  }
  // The check order at a glance and what else the thread holds, in one line.
  const parts = [
    `check order ${checkOrderTally(d)}`,
    inThread > 0 ? `${inThread} more finding${inThread === 1 ? "" : "s"}` : "",
    d.notes.length > 0 ? `${d.notes.length} note${d.notes.length === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  blocks.push(context([`:thread: In the thread: ${parts.join(", ")}, evidence and logs`], "more"));

  if (d.proposals.length > 0)
    blocks.push(
      context(
        d.proposals.map((p) => proposalReason(p)),
        "why-actions",
      ),
    );
  blocks.push({ type: "actions", block_id: "actions", elements: actionButtons(d, opts) });
  blocks.push(context(footer(d, opts), "footer"));

  const text = escapeMrkdwn(
    cutPlain(`${VERDICT_EMOJI[d.verdict]} ${service} (${d.target.cluster}) ${d.verdict}: ${d.headline}`, 280),
  );
  return { text, blocks };
}

/** One line: which service, where, what runs, since when, how sure. */
export function glance(d: Diagnosis, opts: RenderOptions): string {
  const s = d.service;
  const tasks = `${s.running}/${s.desired} running${s.pending > 0 ? `, ${s.pending} pending` : ""}`;
  // The region is in the footer's links; the rollout state is in the serving line ("payment-api:43 cannot start").
  const parts = [
    `*${link(ecsConsoleUrl(opts.region, d.target.cluster, d.target.service), d.target.service)}* in ${code(d.target.cluster)}`,
    s.taskDefinition ? code(shortName(s.taskDefinition) ?? s.taskDefinition) : "",
    tasks,
    d.onset ? `onset ${slackTime(d.onset)} (${span(d.onset, d.at)} before the check)` : "",
    d.primary ? `confidence ${Math.round(d.primary.confidence * 100)}%` : "",
  ];
  return parts.filter(Boolean).join(" · ");
}

export interface FindingTextOptions {
  readonly evidence: number;
  /** Include the rule's "why". */
  readonly why: boolean;
  /** An explaining (configuration) finding of the primary one: "Because: …". */
  readonly because?: boolean;
  /** The header already says the title: start with the facts. */
  readonly titled?: boolean;
  /** One line of title and facts, times without "before the check" (secondary findings). */
  readonly compact?: boolean;
}

/** Title, facts, why, quoted evidence and fix of one finding. */
export function findingText(
  f: Finding,
  d: Diagnosis,
  logs: LogIndex,
  opts: RenderOptions,
  o: FindingTextOptions,
): string {
  const emoji = SEVERITY_EMOJI[f.severity];
  const lines: string[] = [];
  if (o.because) lines.push(`:link: *Because:* ${prose(lowerFirst(f.title))}`, facts(f, d));
  else if (o.titled) lines.push(`${emoji} ${facts(f, d)}`);
  else if (o.compact) lines.push(`${emoji} *${prose(f.title)}* · ${facts(f, d, true)}`);
  else lines.push(`${emoji} *${prose(f.title)}*`, facts(f, d));
  if (o.why && f.detail) lines.push(clipped(f.detail, REPORT_WHY));
  for (const { ref, times } of groupedEvidence(f).slice(0, o.evidence))
    lines.push(`>${evidenceLine(ref, times, logs, opts)}`);
  if (f.fix) lines.push(`*Fix:* ${clipped(f.fix, REPORT_FIX)}`);
  return lines.join("\n");
}

export function clipped(text: string, max: number): string {
  return textLength(text) <= max ? prose(text) : `${prose(cutPlain(text, max))} ${IN_THREAD}`;
}

/** A finding the report shows only in part: the thread gives it in full. */
export function clippedInReport(f: Finding): boolean {
  return textLength(f.detail) > REPORT_WHY || textLength(f.fix) > REPORT_FIX;
}

export function facts(f: Finding, d: Diagnosis, short = false): string {
  const before = (iso: string) => (short ? "" : ` (${span(iso, d.at)} before the check)`);
  const seen = f.firstSeen
    ? `since ${slackTime(f.firstSeen)}${before(f.firstSeen)}${!short && f.lastSeen && f.lastSeen !== f.firstSeen ? `, last ${slackTime(f.lastSeen)}` : ""}`
    : "";
  return [f.severity, f.count > 1 ? `seen ${f.count}×` : "", f.role === "effect" ? "follows from the cause" : "", seen]
    .filter(Boolean)
    .join(" · ");
}

export function evidenceLine(ref: EvidenceRef, times: number, logs: LogIndex, opts: RenderOptions, max = 170): string {
  const at = ref.at ? `${slackTime(ref.at)} ` : "";
  const repeat = times > 1 ? `${times}× ` : "";
  const raw = ref.text?.trim() ? ref.text : undefined;
  const body =
    ref.kind === "log"
      ? raw
        ? code(clip(raw, max))
        : "_(empty log line)_"
      : prose(clip(shortArns(raw ?? ref.id), max));
  let where = "";
  if (ref.kind === "log") {
    const log = logs.groupOf(ref.id);
    if (log)
      where = ` · ${link(logStreamUrl(log.region || opts.region, log.group, ref.id), `task ${shortTask(ref.id)} log`)}`;
  }
  return ` ${at}\`${ref.step}\` ${repeat}${body}${where}`;
}

/** The ten steps (and saturation) at a glance: one line each; problems keep more of their summary. */

/** "❌ 2 · ⚠️ 2 · ✅ 7" — what each step found is in the thread. */
function checkOrderTally(d: Diagnosis): string {
  const order = ["fail", "error", "warn", "ok", "skipped"] as const;
  return order
    .map((status) => [status, d.steps.filter((s) => s.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${STEP_EMOJI[status]} ${n}`)
    .join(" ");
}

export function checklist(d: Diagnosis): string {
  const lines = d.steps.map((s) => {
    const number = s.number === null ? "+" : String(s.number);
    const fine = s.status === "ok" || s.status === "skipped";
    const summary =
      s.reason && (s.status === "error" || s.status === "skipped") && !s.summary.includes(s.reason)
        ? `${s.summary} (${s.reason})`
        : s.summary;
    const room = fine ? Math.max(30, OK_SUMMARY - s.title.length) : PROBLEM_SUMMARY;
    return `${STEP_EMOJI[s.status]} *${number} ${escapeMrkdwn(s.title)}* — ${prose(clip(summary, room))}`;
  });
  return [`*Check order*`, ...lines].join("\n");
}

export function footer(d: Diagnosis, opts: RenderOptions): string[] {
  const checked = `:stopwatch: Checked ${slackTime(d.at, true)} · window ${span(d.window.since, d.window.until)}`;
  const who = mention(opts.requestedBy);
  const links = [link(ecsConsoleUrl(opts.region, d.target.cluster, d.target.service), "ECS console")];
  const group = opts.evidence ? currentLogGroup(opts.evidence) : undefined;
  if (group) links.push(link(logStreamUrl(group.region ?? opts.region, group.group), "logs"));
  return [`${checked}${who ? ` · asked by ${who}` : ""}`, links.join(" · ")];
}

export function currentLogGroup(evidence: Evidence): { group: string; region?: string } | undefined {
  const current = evidence.taskDefinitions.find((t) => t.role === "current");
  for (const c of current?.containers ?? []) {
    const options = c.logConfiguration?.logDriver === "awslogs" ? c.logConfiguration.options : undefined;
    const group = options?.["awslogs-group"];
    if (group) return { group, ...(options?.["awslogs-region"] ? { region: options["awslogs-region"] } : {}) };
  }
  return undefined;
}
