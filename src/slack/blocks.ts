import type { types } from "@slack/bolt";
import { formatDistanceStrict } from "date-fns";
import { shortName } from "../diagnose/template";
import type { Severity } from "../diagnose/symptoms";
import type { ActionProposal, Diagnosis, EvidenceRef, Finding, StepStatus, Verdict } from "../diagnose/types";
import type { CollectionStatus, Evidence, Task } from "../evidence/schema";
import { ACTION_IDS } from "./action-ids";
import { chunkMrkdwn, cutPlain, enforceLimits, textLength, type KnownBlock, type SlackMessage } from "./limits";

export { enforceLimits, violations, SLACK_LIMITS, CUT_MARKER } from "./limits";
export type { KnownBlock, SlackMessage } from "./limits";

/**
 * The Slack translator of the render model (src/diagnose/types.ts): the same content as the terminal report
 * (src/render/diagnosis-text.ts), as Block Kit. Pure: no clock, no I/O. Every builder returns a message that already
 * fits Slack's limits (src/slack/limits.ts); what a report cannot hold goes to its thread (`diagnosisThread`).
 *
 * Everything that comes from AWS or from the logs is escaped (`&`, `<`, `>`), so a log line can never ping
 * `<!channel>` or become a disguised link; times are Slack date tokens, shown in each reader's own time zone.
 */

type Button = types.Button;
type SectionBlock = types.SectionBlock;
type ContextBlock = types.ContextBlock;
type MrkdwnElement = types.MrkdwnElement;

export interface RenderOptions {
  /** The service's region: console and CloudWatch links. */
  readonly region: string;
  /** Slack user id of whoever asked (`U0123…`); shown as a mention. */
  readonly requestedBy?: string;
  /**
   * The snapshot the diagnosis came from. Optional for the report: when given, log evidence links to its
   * CloudWatch stream and the footer links to the service's log group.
   */
  readonly evidence?: Evidence;
}

export interface ProgressUpdate {
  readonly service: string;
  readonly cluster?: string;
  readonly done: number;
  readonly total: number;
  readonly finished: readonly { readonly title: string; readonly status: CollectionStatus }[];
  readonly requestedBy?: string;
}

const VERDICT_EMOJI: Record<Verdict, string> = { healthy: "🟢", degraded: "🟠", failing: "🔴" };
const STEP_EMOJI: Record<StepStatus, string> = {
  ok: ":white_check_mark:",
  warn: ":warning:",
  fail: ":x:",
  skipped: ":heavy_minus_sign:",
  error: ":grey_question:",
};
const SEVERITY_EMOJI: Record<Severity, string> = { critical: ":rotating_light:", warn: ":warning:", info: ":information_source:" };
const COLLECTION: Record<CollectionStatus, { emoji: string; word: string }> = {
  collected: { emoji: ":white_check_mark:", word: "" },
  partial: { emoji: ":warning:", word: " (partly)" },
  skipped: { emoji: ":heavy_minus_sign:", word: " (skipped)" },
  error: { emoji: ":grey_question:", word: " (could not read)" },
};

/** Findings shown in the report besides the primary one and its causes; the rest are in the thread. */
const NEXT_FINDINGS = 3;
/** A finding's why and fix in the report; longer ones are clipped there and given in full in the thread. */
const REPORT_WHY = 700;
const REPORT_FIX = 500;
const IN_THREAD = "_(full text in the thread)_";
/** Evidence lines quoted under a finding in the report. */
const REPORT_EVIDENCE = 3;
/** A step that is fine gets one line in the checklist; problems get the room they need (up to this). */
const OK_SUMMARY = 72;
const PROBLEM_SUMMARY = 120;
/** Room for one section's text in the thread, under Slack's 3000. */
const SECTION_ROOM = 2900;
/** Blocks per thread reply, under Slack's 50. */
const REPLY_BLOCKS = 45;

// ── mrkdwn helpers ──────────────────────────────────────────────────────────────────────────────

/** Escapes the three characters Slack treats as markup; everything from AWS or the logs goes through here. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Escaped text for reading. ARNs become inline code (copyable, and `…:secret:prod/…` must not turn into the
 * :secret: emoji); any other `:word:` is broken with a zero-width space so AWS text cannot draw emoji.
 */
function prose(text: string): string {
  return text
    .split(/(arn:aws[a-z-]*:[^\s,;()"'`<>]*[^\s,;()"'`<>.])/g)
    .map((part, i) => (i % 2 === 1 ? code(part) : escapeMrkdwn(part).replace(/:([a-z0-9_+-]*[a-z][a-z0-9_+-]*):/gi, ":\u200b$1:")))
    .join("");
}

/** Inline code. A backtick inside would end it early, so it becomes a look-alike. */
function code(text: string): string {
  const body = escapeMrkdwn(text).replace(/`/g, "ˋ").replace(/\s*\n\s*/g, " ").trim();
  return body ? `\`${body}\`` : "";
}

/** A code block; a ``` inside the text would end it, so it is broken up with zero-width spaces. */
function codeBlock(text: string): string {
  const body = escapeMrkdwn(text).replace(/```/g, "`\u200b`\u200b`");
  return `\`\`\`${body.trim() === "" ? " " : body}\`\`\``;
}

function link(url: string, label: string): string {
  return `<${url.replace(/[|>\s]/g, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/g, "¦")}>`;
}

function mention(user: string | undefined): string | undefined {
  if (!user) return undefined;
  return /^[UW][A-Z0-9]{2,30}$/.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  return cutPlain(oneLine, max);
}

function mrkdwn(text: string): MrkdwnElement {
  return { type: "mrkdwn", text };
}

function section(text: string, blockId?: string): SectionBlock {
  return { type: "section", ...(blockId ? { block_id: blockId } : {}), text: mrkdwn(text) };
}

function context(elements: readonly string[], blockId?: string): ContextBlock {
  return { type: "context", ...(blockId ? { block_id: blockId } : {}), elements: elements.filter((e) => e.trim() !== "").map(mrkdwn) };
}

/**
 * A Slack date token: the reader's client shows the time in their own zone; `fallback` (UTC) is for clients that
 * cannot. `{time}` alone for times within the incident, with the date where the day matters.
 */
function slackTime(iso: string | undefined, withDate = false): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const fallback = `${withDate ? `${iso.slice(0, 10)} ` : ""}${iso.slice(11, 16)} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${withDate ? "{date_short_pretty} {time}" : "{time}"}|${fallback}>`;
}

/** "10 min" between two ISO times (relative to the diagnosis, so the text stays true as the message ages). */
function span(fromIso: string, toIso: string): string {
  return formatDistanceStrict(new Date(fromIso), new Date(toIso))
    .replace(/ seconds?$/, " s")
    .replace(/ minutes?$/, " min")
    .replace(/ hours?$/, " h")
    .replace(/ days?$/, " d");
}

/** `--since` text for a window, as the slash command takes it: 60 min → "1h", 90 min → "1h30m". */
function sinceText(window: Diagnosis["window"]): string {
  const minutes = Math.max(1, Math.round((Date.parse(window.until) - Date.parse(window.since)) / 60_000));
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}`;
}

/** `arn:aws:ecs:us-east-1:123456789012:task/prod/abc` → `task/prod/abc`: account and region are in the report. */
function shortArns(text: string): string {
  return text.replace(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:/g, "");
}

function shortTask(arn: string): string {
  return (arn.split("/").pop() ?? arn).slice(0, 8);
}

// ── links ───────────────────────────────────────────────────────────────────────────────────────

/** The service's health page in the ECS console (v2). */
export function ecsConsoleUrl(region: string, cluster: string, service: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/health?region=${r}`;
}

/**
 * A CloudWatch Logs console link. The console reads the fragment with `$` in place of `%`, after encoding twice:
 * `/ecs/payment-api` → `$252Fecs$252Fpayment-api`.
 */
export function logStreamUrl(region: string, group: string, stream?: string): string {
  const enc = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, "$");
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#logsV2:log-groups/log-group/${enc(group)}${stream ? `/log-events/${enc(stream)}` : ""}`;
}

interface LogIndex {
  /** Log group of a stream name, when the snapshot read it. */
  readonly groupOf: (stream: string) => { group: string; region: string } | undefined;
}

function logIndex(evidence: Evidence | undefined, region: string): LogIndex {
  const groups = new Map<string, { group: string; region: string }>();
  const logs = evidence ? evidence.steps.find((s) => s.id === "task-logs")?.data : undefined;
  for (const s of logs?.streams ?? []) groups.set(s.logStream, { group: s.logGroup, region: s.region ?? region });
  for (const search of logs?.patternSearches ?? []) {
    for (const m of search.matches) if (!groups.has(m.logStream)) groups.set(m.logStream, { group: search.logGroup, region });
  }
  return { groupOf: (stream) => groups.get(stream) };
}

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
function reportSelection(d: Diagnosis): { primary?: Finding; causes: Finding[]; next: Finding[] } {
  const byId = new Map(d.findings.map((f) => [f.id, f]));
  const primary = d.primary ? byId.get(d.primary.finding) : undefined;
  const causes = (d.primary?.explainedBy ?? []).flatMap((id) => byId.get(id) ?? []);
  const shown = new Set([primary?.id, ...causes.map((c) => c.id)]);
  const next = d.findings.filter((f) => !shown.has(f.id) && f.severity !== "info").slice(0, NEXT_FINDINGS);
  return { ...(primary ? { primary } : {}), causes, next };
}

function reportFindings(d: Diagnosis): Finding[] {
  const { primary, causes, next } = reportSelection(d);
  return [...(primary ? [primary] : []), ...causes, ...next];
}

function buildReport(d: Diagnosis, opts: RenderOptions): SlackMessage {
  const logs = logIndex(opts.evidence, opts.region);
  const service = d.target.service;
  const { primary, causes, next } = reportSelection(d);
  const inThread = d.findings.length - reportFindings(d).length;

  const blocks: KnownBlock[] = [];
  // "payment-api is healthy: …" names the service already; "Container app was killed …" does not.
  const named = d.headline.startsWith(`${service} `);
  blocks.push({ type: "header", block_id: "verdict", text: { type: "plain_text", text: cutPlain(`${VERDICT_EMOJI[d.verdict]} ${named ? "" : `${service}: `}${d.headline}`, 150), emoji: true } });
  blocks.push(context([glance(d, opts)], "glance"));

  if (primary) {
    const titled = d.headline === primary.title;
    blocks.push(section(findingText(primary, d, logs, opts, { evidence: REPORT_EVIDENCE, why: true, titled }), "primary"));
    causes.forEach((c, i) => blocks.push(section(findingText(c, d, logs, opts, { evidence: 2, why: true, because: true }), `because-${i}`)));
  } else if (d.verdict !== "healthy") {
    blocks.push(section(`:mag: *No single cause stands out.* ${prose(d.headline)} — read the checklist below and the thread.`, "primary"));
  }
  blocks.push({ type: "divider", block_id: "d1" });
  blocks.push(section(checklist(d), "steps"));

  if (next.length > 0) {
    blocks.push({ type: "divider", block_id: "d2" });
    next.forEach((f, i) => blocks.push(section(findingText(f, d, logs, opts, { evidence: 0, why: false, compact: true }), `finding-${i + 1}`)));
  }
  if (inThread > 0 || d.notes.length > 0) {
    const parts = [
      inThread > 0 ? `${inThread} more finding${inThread === 1 ? "" : "s"}` : "",
      d.notes.length > 0 ? `${d.notes.length} note${d.notes.length === 1 ? "" : "s"}` : "",
    ].filter(Boolean);
    blocks.push(context([`:thread: ${parts.join(" and ")}, log excerpts and full evidence in the thread`], "more"));
  }

  if (d.proposals.length > 0) blocks.push(context(d.proposals.map((p) => proposalReason(p)), "why-actions"));
  blocks.push({ type: "actions", block_id: "actions", elements: actionButtons(d, opts) });
  blocks.push(context(footer(d, opts), "footer"));

  const text = escapeMrkdwn(cutPlain(`${VERDICT_EMOJI[d.verdict]} ${service} (${d.target.cluster}) ${d.verdict}: ${d.headline}`, 280));
  return { text, blocks };
}

/** One line: which service, where, what runs, since when, how sure. */
function glance(d: Diagnosis, opts: RenderOptions): string {
  const s = d.service;
  const tasks = `${s.running} running / ${s.desired} desired${s.pending > 0 ? `, ${s.pending} pending` : ""}`;
  const parts = [
    `*${link(ecsConsoleUrl(opts.region, d.target.cluster, d.target.service), d.target.service)}* in ${code(d.target.cluster)} · ${escapeMrkdwn(opts.region)}`,
    s.taskDefinition ? code(shortName(s.taskDefinition) ?? s.taskDefinition) : "",
    tasks,
    s.rollout && s.rollout !== "COMPLETED" ? `rollout ${escapeMrkdwn(s.rollout)}` : "",
    d.onset ? `onset ${slackTime(d.onset)} (${span(d.onset, d.at)} before the check)` : "",
    d.primary ? `confidence ${Math.round(d.primary.confidence * 100)}%` : "",
  ];
  return parts.filter(Boolean).join(" · ");
}

interface FindingTextOptions {
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
function findingText(f: Finding, d: Diagnosis, logs: LogIndex, opts: RenderOptions, o: FindingTextOptions): string {
  const emoji = SEVERITY_EMOJI[f.severity];
  const lines: string[] = [];
  if (o.because) lines.push(`:link: *Because:* ${prose(lowerFirst(f.title))}`, facts(f, d));
  else if (o.titled) lines.push(`${emoji} ${facts(f, d)}`);
  else if (o.compact) lines.push(`${emoji} *${prose(f.title)}* · ${facts(f, d, true)}`);
  else lines.push(`${emoji} *${prose(f.title)}*`, facts(f, d));
  if (o.why && f.detail) lines.push(clipped(f.detail, REPORT_WHY));
  for (const { ref, times } of groupedEvidence(f).slice(0, o.evidence)) lines.push(`>${evidenceLine(ref, times, logs, opts)}`);
  if (f.fix) lines.push(`*Fix:* ${clipped(f.fix, REPORT_FIX)}`);
  return lines.join("\n");
}

function clipped(text: string, max: number): string {
  return textLength(text) <= max ? prose(text) : `${prose(cutPlain(text, max))} ${IN_THREAD}`;
}

/** A finding the report shows only in part: the thread gives it in full. */
function clippedInReport(f: Finding): boolean {
  return textLength(f.detail) > REPORT_WHY || textLength(f.fix) > REPORT_FIX;
}

function facts(f: Finding, d: Diagnosis, short = false): string {
  const before = (iso: string) => (short ? "" : ` (${span(iso, d.at)} before the check)`);
  const seen = f.firstSeen
    ? `since ${slackTime(f.firstSeen)}${before(f.firstSeen)}${!short && f.lastSeen && f.lastSeen !== f.firstSeen ? `, last ${slackTime(f.lastSeen)}` : ""}`
    : "";
  return [code(f.cause ? `${f.symptom}/${f.cause}` : f.symptom), f.severity, f.count > 1 ? `seen ${f.count}×` : "", f.role === "effect" ? "effect" : "", seen]
    .filter(Boolean)
    .join(" · ");
}

function evidenceLine(ref: EvidenceRef, times: number, logs: LogIndex, opts: RenderOptions, max = 170): string {
  const at = ref.at ? `${slackTime(ref.at)} ` : "";
  const repeat = times > 1 ? `${times}× ` : "";
  const raw = ref.text?.trim() ? ref.text : undefined;
  const body =
    ref.kind === "log" ? (raw ? code(clip(raw, max)) : "_(empty log line)_") : prose(clip(shortArns(raw ?? ref.id), max));
  let where = "";
  if (ref.kind === "log") {
    const log = logs.groupOf(ref.id);
    if (log) where = ` · ${link(logStreamUrl(log.region || opts.region, log.group, ref.id), `task ${shortTask(ref.id)} log`)}`;
  }
  return ` ${at}\`${ref.step}\` ${repeat}${body}${where}`;
}

/** Identical evidence texts (nine tasks with the same stop reason) are shown once with a count. */
function groupedEvidence(f: Finding): { ref: EvidenceRef; times: number }[] {
  const groups = new Map<string, { ref: EvidenceRef; times: number }>();
  for (const ref of f.evidence) {
    const key = `${ref.step}\u0000${ref.text ?? ref.id}`;
    const group = groups.get(key);
    if (group) group.times += 1;
    else groups.set(key, { ref, times: 1 });
  }
  return [...groups.values()];
}

/** The ten steps (and saturation) at a glance: one line each; problems keep more of their summary. */
function checklist(d: Diagnosis): string {
  const lines = d.steps.map((s) => {
    const number = s.number === null ? "+" : String(s.number);
    const fine = s.status === "ok" || s.status === "skipped";
    const summary = s.reason && (s.status === "error" || s.status === "skipped") && !s.summary.includes(s.reason) ? `${s.summary} (${s.reason})` : s.summary;
    const room = fine ? Math.max(30, OK_SUMMARY - s.title.length) : PROBLEM_SUMMARY;
    return `${STEP_EMOJI[s.status]} *${number} ${escapeMrkdwn(s.title)}* — ${prose(clip(summary, room))}`;
  });
  return [`*Check order*`, ...lines].join("\n");
}

function proposalReason(p: ActionProposal): string {
  const icon = p.kind === "rollback" ? ":leftwards_arrow_with_hook:" : ":arrow_double_up:";
  return `${icon} *${prose(p.title)}* — ${prose(clip(p.reason, 600))}`;
}

/** What a rollback or scale handler needs to re-read, compare and act: compact JSON, well under 2000 characters. */
export interface ProposalPayload {
  readonly kind: ActionProposal["kind"];
  readonly cluster: string;
  readonly service: string;
  readonly region: string;
  readonly expect: ActionProposal["expect"];
  readonly change: ActionProposal["change"];
}

/** What the export and re-run handlers need. */
export interface TargetPayload {
  readonly kind: "export" | "rerun";
  readonly cluster: string;
  readonly service: string;
  readonly region: string;
  /** The window as `--since` text (re-run) and as ISO times (export). */
  readonly since: string;
  readonly window?: Diagnosis["window"];
}

function actionButtons(d: Diagnosis, opts: RenderOptions): Button[] {
  const buttons: Button[] = d.proposals.map((p) => proposalButton(p, opts));
  const target = { cluster: d.target.cluster, service: d.target.service, region: opts.region, since: sinceText(d.window) };
  const exportPayload: TargetPayload = { kind: "export", ...target, window: d.window };
  const rerunPayload: TargetPayload = { kind: "rerun", ...target };
  buttons.push({ type: "button", action_id: ACTION_IDS.export, text: { type: "plain_text", text: ":package: Export evidence", emoji: true }, value: JSON.stringify(exportPayload) });
  buttons.push({ type: "button", action_id: ACTION_IDS.rerun, text: { type: "plain_text", text: `:repeat: Re-run (last ${target.since})`, emoji: true }, value: JSON.stringify(rerunPayload) });
  return buttons;
}

function proposalButton(p: ActionProposal, opts: RenderOptions): Button {
  const payload: ProposalPayload = { kind: p.kind, cluster: p.cluster, service: p.service, region: opts.region, expect: p.expect, change: p.change };
  const where = `service ${code(p.service)} in ${code(p.cluster)} (${escapeMrkdwn(opts.region)})`;
  const from = shortName(p.expect.taskDefinition);
  const guard = `Refused if the service has changed since this report${from ? ` (it must still run ${code(from)}` : " (it must still have"}${from ? `, ` : " "}${p.expect.desiredCount} desired).`;
  if (p.kind === "rollback") {
    const to = shortName(p.change.taskDefinition) ?? "the previous revision";
    return {
      type: "button",
      action_id: ACTION_IDS.rollback,
      style: "danger",
      text: { type: "plain_text", text: `Roll back to ${to}`, emoji: true },
      value: JSON.stringify(payload),
      confirm: {
        title: { type: "plain_text", text: cutPlain(`Roll back ${p.service}?`, 100) },
        text: mrkdwn(`Update ${where}: task definition ${from ? `${code(from)} → ` : ""}${code(to)}. ${guard}`),
        confirm: { type: "plain_text", text: "Roll back" },
        deny: { type: "plain_text", text: "Cancel" },
        style: "danger",
      },
    };
  }
  const to = p.change.desiredCount ?? p.expect.desiredCount;
  return {
    type: "button",
    action_id: ACTION_IDS.scale,
    style: "primary",
    text: { type: "plain_text", text: `Scale ${p.expect.desiredCount} → ${to} tasks`, emoji: true },
    value: JSON.stringify(payload),
    confirm: {
      title: { type: "plain_text", text: cutPlain(`Scale ${p.service} to ${to} tasks?`, 100) },
      text: mrkdwn(`Update ${where}: desired count ${p.expect.desiredCount} → ${to}. ${guard}`),
      confirm: { type: "plain_text", text: cutPlain(`Scale to ${to}`, 30) },
      deny: { type: "plain_text", text: "Cancel" },
    },
  };
}

function footer(d: Diagnosis, opts: RenderOptions): string[] {
  const checked = `:stopwatch: Checked ${slackTime(d.at, true)} · window ${span(d.window.since, d.window.until)}`;
  const who = mention(opts.requestedBy);
  const links = [link(ecsConsoleUrl(opts.region, d.target.cluster, d.target.service), "ECS console")];
  const group = opts.evidence ? currentLogGroup(opts.evidence) : undefined;
  if (group) links.push(link(logStreamUrl(group.region ?? opts.region, group.group), "logs"));
  return [
    `${checked}${who ? ` · asked by ${who}` : ""}`,
    links.join(" · "),
  ];
}

function currentLogGroup(evidence: Evidence): { group: string; region?: string } | undefined {
  const current = evidence.taskDefinitions.find((t) => t.role === "current");
  for (const c of current?.containers ?? []) {
    const options = c.logConfiguration?.logDriver === "awslogs" ? c.logConfiguration.options : undefined;
    const group = options?.["awslogs-group"];
    if (group) return { group, ...(options?.["awslogs-region"] ? { region: options["awslogs-region"] } : {}) };
  }
  return undefined;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? `${text[0]!.toLowerCase()}${text.slice(1)}` : text;
}

// ── the thread ──────────────────────────────────────────────────────────────────────────────────

/**
 * The report's thread replies, in reading order: whatever was cut from the report; the last log lines of the
 * failed tasks and the error lines found (already redacted by the collector, escaped here); the findings the report
 * left out or shortened, in full (why, all evidence, fix); the check order in full with every failed read and its
 * hint, notes, and the AWS CLI equivalent of each proposed action.
 * Each reply fits Slack's limits; long content is split over several replies rather than cut.
 */
export function diagnosisThread(d: Diagnosis, evidence: Evidence, opts: RenderOptions): SlackMessage[] {
  const withEvidence: RenderOptions = { ...opts, evidence: opts.evidence ?? evidence };
  const logs = logIndex(evidence, opts.region);
  const replies: SlackMessage[] = [];
  const { overflow } = enforceLimits(buildReport(d, withEvidence));
  if (overflow.length > 0) replies.push(...replies_("Cut from the report above", [`:scissors: *Cut from the report above*`, ...overflow]));
  replies.push(...logReplies(d, evidence, opts));
  replies.push(...findingReplies(d, logs, withEvidence));
  replies.push(...detailsReplies(d, evidence, opts));
  return replies.map((r) => enforceLimits(r).message);
}

/** Sections (each chunked to fit) packed into as few replies as the block limit allows. */
function replies_(summary: string, sections: readonly (string | KnownBlock)[]): SlackMessage[] {
  const blocks: KnownBlock[] = sections.flatMap((s) => (typeof s === "string" ? chunkMrkdwn(s, SECTION_ROOM).map((t) => section(t)) : [s]));
  const out: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += REPLY_BLOCKS) {
    const part = Math.floor(i / REPLY_BLOCKS) + 1;
    const parts = Math.ceil(blocks.length / REPLY_BLOCKS);
    out.push({ text: escapeMrkdwn(parts > 1 ? `${summary} (${part}/${parts})` : summary), blocks: blocks.slice(i, i + REPLY_BLOCKS) });
  }
  return out;
}

/** Log lines shown per excerpt; the stream link has the rest. */
const EXCERPT_LINES = 25;
const EXCERPT_LINE_CHARS = 300;
const EXCERPTS = 2;
const ERROR_LINE_GROUPS = 12;

function logReplies(d: Diagnosis, evidence: Evidence, opts: RenderOptions): SlackMessage[] {
  const data = evidence.steps.find((s) => s.id === "task-logs")?.data;
  if (!data) return [];
  const stopped = evidence.steps.find((s) => s.id === "stopped-tasks")?.data?.stopped ?? [];
  const tasks = new Map(stopped.map((t) => [t.taskArn, t]));
  const primary = d.findings.find((f) => f.id === d.primary?.finding);
  const blamed = new Set(primary?.evidence.map((r) => r.id) ?? []);
  const blocks: KnownBlock[] = [];

  // Failed tasks of the primary finding first, then the newest; identical excerpts shown once.
  const streams = data.streams
    .map((s, i) => ({ s, i, task: tasks.get(s.taskArn) }))
    .sort((a, b) => Number(blamed.has(b.s.taskArn)) - Number(blamed.has(a.s.taskArn)) || (b.task?.stoppedAt ?? "").localeCompare(a.task?.stoppedAt ?? "") || a.i - b.i);
  const shown = new Map<string, { blockIndex: number; also: string[] }>();
  for (const { s, task } of streams) {
    const region = s.region ?? opts.region;
    const url = logStreamUrl(region, s.logGroup, s.logStream);
    if (s.error) {
      blocks.push(section(`:warning: Could not read the log stream of task ${code(shortTask(s.taskArn))} (${code(s.logGroup)}): ${escapeMrkdwn(s.error.code)} — ${prose(s.error.hint)}`));
      continue;
    }
    if (s.lines.length === 0) continue;
    const key = s.lines.map((l) => l.message).join("\n");
    const same = shown.get(key);
    if (same) {
      same.also.push(link(url, shortTask(s.taskArn)));
      continue;
    }
    if (shown.size >= EXCERPTS) continue;
    const lead = `*Last log lines* of ${task ? "stopped " : ""}task ${code(shortTask(s.taskArn))} (${taskFacts(task, s.containerName)}):`;
    const { text, omitted } = excerpt(s.lines.map((l) => `${l.timestamp.slice(11, 19)} ${l.message}`), SECTION_ROOM - textLength(lead) - 10);
    blocks.push(section(`${lead}\n${text}`));
    const note = [`${link(url, `${s.logGroup} › ${s.logStream}`)}`, omitted > 0 ? `last ${s.lines.length - omitted} of ${s.lines.length} lines read` : `${s.lines.length} line(s) read`, "redacted"];
    blocks.push(context([note.filter(Boolean).join(" · ")]));
    shown.set(key, { blockIndex: blocks.length - 1, also: [] });
  }
  for (const { blockIndex, also } of shown.values()) {
    if (also.length === 0) continue;
    const ctx = blocks[blockIndex];
    if (ctx?.type === "context") ctx.elements.push(mrkdwn(`same lines in ${also.length} other task(s): ${also.slice(0, 8).join(", ")}${also.length > 8 ? ", …" : ""}`));
  }

  for (const search of data.patternSearches) {
    if (search.error) {
      blocks.push(section(`:warning: Could not search ${code(search.logGroup)} for errors: ${escapeMrkdwn(search.error.code)} — ${prose(search.error.hint)}`));
      continue;
    }
    if (search.matches.length === 0) continue;
    const counts = new Map<string, number>();
    for (const m of search.matches) counts.set(m.message, (counts.get(m.message) ?? 0) + 1);
    const groups = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const lead = `*Error lines* in ${link(logStreamUrl(opts.region, search.logGroup), search.logGroup)} — ${search.matches.length}${search.truncated ? "+" : ""} in the window, ${groups.length} distinct:`;
    const lines = groups.slice(0, ERROR_LINE_GROUPS).map(([message, n]) => `${String(n).padStart(3)}× ${clip(message, EXCERPT_LINE_CHARS)}`);
    const { text } = excerpt(lines, SECTION_ROOM - textLength(lead) - 10, true);
    blocks.push(section(`${lead}\n${text}`));
    const more = groups.length > ERROR_LINE_GROUPS ? [`${groups.length - ERROR_LINE_GROUPS} more distinct line(s) not shown`] : [];
    blocks.push(context([`filter ${code(clip(search.filterPattern, 200))}`, ...more]));
  }
  if (data.skipped.length > 0) {
    // Five tasks whose container never started share one reason: say it once.
    const reasons = new Map<string, string[]>();
    for (const sk of data.skipped) {
      const key = `${code(sk.containerName)}${sk.logDriver ? ` (${prose(sk.logDriver)})` : ""}: ${prose(clip(sk.reason, 160))}`;
      reasons.set(key, [...(reasons.get(key) ?? []), ...(sk.taskArn ? [code(shortTask(sk.taskArn))] : [])]);
    }
    const items = [...reasons.entries()].slice(0, 6).map(([reason, taskIds]) => `${reason}${taskIds.length > 0 ? ` — task${taskIds.length > 1 ? "s" : ""} ${taskIds.slice(0, 6).join(" ")}${taskIds.length > 6 ? ` +${taskIds.length - 6}` : ""}` : ""}`);
    blocks.push(context([`:page_facing_up: Logs not read: ${items.join("; ")}${reasons.size > 6 ? `; and ${reasons.size - 6} more` : ""}`]));
  }
  if (blocks.length === 0) return [];
  return replies_(`Logs of ${d.target.service}`, blocks);
}

/** Which container, exit code and stop time, from the stopped task when the snapshot has it. */
function taskFacts(task: Task | undefined, container: string): string {
  const state = task?.containers.find((c) => c.name === container);
  return [`container ${code(container)}`, state?.exitCode !== undefined ? `exit ${state.exitCode}` : "", task?.stoppedAt ? `stopped ${slackTime(task.stoppedAt)}` : ""]
    .filter(Boolean)
    .join(", ");
}

/** The last lines that fit in `room` characters, as a code block; says how many earlier lines were left out. */
function excerpt(lines: readonly string[], room: number, head = false): { text: string; omitted: number } {
  const kept: string[] = [];
  let size = 8;
  const ordered = head ? lines : [...lines].reverse();
  for (const line of ordered.slice(0, EXCERPT_LINES)) {
    const clipped = clip(line, EXCERPT_LINE_CHARS);
    // Escaping can grow a line (`<` → `&lt;`): count what Slack will count.
    const cost = textLength(escapeMrkdwn(clipped)) + 1;
    if (size + cost > room) break;
    kept.push(clipped);
    size += cost;
  }
  if (!head) kept.reverse();
  return { text: codeBlock(kept.join("\n")), omitted: lines.length - kept.length };
}

function findingReplies(d: Diagnosis, logs: LogIndex, opts: RenderOptions): SlackMessage[] {
  const shown = new Set(reportFindings(d).map((f) => f.id));
  const rest = d.findings.filter((f) => !shown.has(f.id) || clippedInReport(f));
  if (rest.length === 0) return [];
  const sections = rest.map((f, i) => {
    const lines = [`*${i + 1}.* ${SEVERITY_EMOJI[f.severity]} *${prose(f.title)}*`, `${facts(f, d)} · rule ${code(f.rule)}`];
    if (f.detail) lines.push(prose(f.detail));
    for (const { ref, times } of groupedEvidence(f)) lines.push(`>${evidenceLine(ref, times, logs, opts, 400)}`);
    if (f.count > f.evidence.length) lines.push(`_${f.count - f.evidence.length} older piece(s) of evidence in the export_`);
    if (f.fix) lines.push(`*Fix:* ${prose(f.fix)}`);
    if (f.next.length > 0) lines.push(`_Look next at:_ ${f.next.map((s) => code(s)).join(", ")}`);
    return lines.join("\n");
  });
  return replies_(`${rest.length} more finding(s) for ${d.target.service}`, [`:mag: *${rest.length === 1 ? "One finding" : `${rest.length} findings`}* not in the report or shortened there${rest.length > 1 ? ", most important first" : ""}`, ...sections]);
}

/**
 * The check order in full (the report gives a fine step one line), with each read that failed and what to grant or
 * fix; then notes, and the AWS CLI equivalent of each proposed action. Always posted: it is the thread's index.
 */
function detailsReplies(d: Diagnosis, evidence: Evidence, opts: RenderOptions): SlackMessage[] {
  const records = new Map(evidence.steps.map((r) => [r.id, r]));
  const steps = d.steps.map((s) => {
    const record = records.get(s.step);
    const head = `${STEP_EMOJI[s.status]} *${s.number ?? "+"} ${escapeMrkdwn(s.title)}* — ${prose(clip(s.summary, 600))}`;
    const reason = s.reason && !s.summary.includes(s.reason) ? ` _(${prose(clip(s.reason, 300))})_` : "";
    // Replayed snapshots have no timings (0 ms): say nothing rather than "0.0 s".
    const facts = [record && record.durationMs > 0 ? `${(record.durationMs / 1000).toFixed(1)} s` : "", record && record.status !== "collected" ? `read: ${record.status}` : ""];
    const timing = facts.some(Boolean) ? ` · ${facts.filter(Boolean).join(", ")}` : "";
    const errors = (record?.errors ?? []).slice(0, 3).map((e) => `\n      :grey_question: ${code(e.operation ?? e.code)} ${escapeMrkdwn(e.code)} — ${prose(clip(e.hint, 300))}`);
    const more = (record?.errors.length ?? 0) > 3 ? `\n      _… ${(record?.errors.length ?? 0) - 3} more failed read(s) in the export_` : "";
    return `${head}${reason}${timing}${errors.join("")}${more}`;
  });
  const sections: string[] = [[`:clipboard: *Check order in full*`, ...steps].join("\n")];
  const notes = [
    ...d.notes.map((n) => `• ${prose(n)}`),
    ...evidence.contextErrors.map((e) => `• :grey_question: ${code(e.operation ?? e.code)} failed: ${prose(clip(e.message, 300))} — ${prose(e.hint)}`),
  ];
  if (notes.length > 0) sections.push([`:memo: *Notes*`, ...notes].join("\n"));
  if (d.proposals.length > 0) {
    const commands = d.proposals.map((p) => {
      const change = p.kind === "rollback" ? `--task-definition ${shortName(p.change.taskDefinition)}` : `--desired-count ${p.change.desiredCount}`;
      return `aws ecs update-service --region ${opts.region} --cluster ${p.cluster} --service ${p.service} ${change}`;
    });
    sections.push(`*The same change without the button* (to review, or to run by hand):\n${codeBlock(commands.join("\n"))}`);
  }
  return replies_(`Check order in full for ${d.target.service}`, sections);
}

// ── progress, questions, failures ───────────────────────────────────────────────────────────────

/** "Diagnosing payment-api — 3/11": posted at once, then updated as steps finish, then replaced by the report. */
export function progressMessage(p: ProgressUpdate): SlackMessage {
  const total = Math.max(p.total, p.done, 1);
  const done = Math.max(0, Math.min(p.done, total));
  const bar = `${"▰".repeat(done)}${"▱".repeat(total - done)}`;
  const where = p.cluster ? ` in ${code(p.cluster)}` : "";
  const blocks: KnownBlock[] = [section(`:hourglass_flowing_sand: Diagnosing *${escapeMrkdwn(p.service)}*${where} — *${done}/${total}* steps read\n${bar}`, "progress")];
  const finished = p.finished.map((f) => `${COLLECTION[f.status].emoji} ${escapeMrkdwn(f.title)}${COLLECTION[f.status].word}`);
  const who = mention(p.requestedBy);
  const line = [finished.length > 0 ? finished.join("  ") : "reading the service, its deployments and tasks…", who ? `asked by ${who}` : ""].filter(Boolean);
  blocks.push(context([line.join(" · ")], "finished"));
  return enforceLimits({ text: escapeMrkdwn(`Diagnosing ${p.service}${p.cluster ? ` in ${p.cluster}` : ""} — ${done}/${total}`), blocks }).message;
}

/** The name matched several services: say which, one line each with the exact command to run. */
export function candidatesMessage(service: string, candidates: readonly { cluster: string; service: string }[]): SlackMessage {
  const shown = candidates.slice(0, 20);
  const lines = shown.map((c) => `• ${code(c.service)} in ${code(c.cluster)} → ${code(`/ecs diagnose ${c.service} --cluster ${c.cluster}`)}`);
  if (candidates.length > shown.length) lines.push(`_… and ${candidates.length - shown.length} more; add --cluster to narrow it down_`);
  const blocks: KnownBlock[] = [
    section(`:twisted_rightwards_arrows: *${escapeMrkdwn(service)}* matches ${candidates.length} services — say which one:`, "which"),
    section(lines.join("\n") || "_no candidates_", "candidates"),
  ];
  return enforceLimits({ text: escapeMrkdwn(cutPlain(`${service} matches ${candidates.length} services; say which cluster`, 280)), blocks }).message;
}

/** A readable failure — never silence. `hint` is the next thing to try. */
export function errorMessage(title: string, detail: string, hint?: string): SlackMessage {
  const blocks: KnownBlock[] = [section(`:warning: *${escapeMrkdwn(title)}*\n${prose(detail)}`, "error")];
  if (hint) blocks.push(context([`:bulb: ${prose(hint)}`], "hint"));
  return enforceLimits({ text: escapeMrkdwn(cutPlain(`${title}: ${detail}`, 280)), blocks }).message;
}

/** `/ecs help`, and what to type instead after bad input (sent ephemeral). */
export function usageMessage(problem?: string): SlackMessage {
  const blocks: KnownBlock[] = [];
  if (problem) blocks.push(section(`:warning: ${prose(problem)}`, "problem"));
  blocks.push(
    section(
      [
        "*ecs-medic* checks an ECS service in the ten-step order and posts the report here.",
        "`/ecs diagnose <service> [cluster] [--since 1h]` — diagnose; `--since` takes `30m`, `2h`, `1d`, `1h30m` or an ISO time (default 1h, at most 7 days)",
        "`/ecs diagnose <cluster>/<service>` or `--cluster <name>` — when the name exists in several clusters",
        "`/ecs help` — this text",
      ].join("\n"),
      "usage",
    ),
    context(["Examples: `/ecs diagnose payment-api` · `/ecs diagnose payment-api prod --since 2h`"], "examples"),
  );
  return enforceLimits({ text: escapeMrkdwn(problem ? cutPlain(`${problem} — try /ecs help`, 280) : "ecs-medic: /ecs diagnose <service> [cluster] [--since 1h]"), blocks }).message;
}

/** For buttons whose handlers are not built yet: say so plainly, and that nothing changed. */
export function notAvailableMessage(action: string): SlackMessage {
  const blocks: KnownBlock[] = [
    section(`:construction: *${escapeMrkdwn(action)}* is not available in this version of ecs-medic yet. *Nothing was changed.*`, "not-available"),
    context(["The report's thread has the equivalent AWS CLI command, to review and run by hand."], "instead"),
  ];
  return enforceLimits({ text: escapeMrkdwn(`${action} is not available yet; nothing was changed`), blocks }).message;
}
