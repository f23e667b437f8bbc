import { formatDistanceStrict } from "date-fns";
import type { Diagnosis, Finding, StepStatus, Verdict } from "../../diagnose/types";
import { shortName } from "../../diagnose/template";
import { confidenceLowered, groupedEvidence, lowerFirst, shortArns, suspectChange } from "../present";
import { createStyle, wrap, type Style } from "./style";

export interface DiagnosisTextOptions {
  readonly color: boolean;
  /** @default 80 */
  readonly width?: number;
  /** Findings shown in full. @default 5 */
  readonly maxFindings?: number;
}

const STEP_MARK: Record<StepStatus, string> = { ok: "✓", warn: "!", fail: "✗", skipped: "–", error: "?" };
const VERDICT_MARK: Record<Verdict, string> = { healthy: "✓ HEALTHY", degraded: "! DEGRADED", failing: "✗ FAILING" };
const TITLE_WIDTH = 18;

/**
 * The terminal report: verdict and primary finding first (what to read at 3 a.m.), then the ten steps as a
 * checklist, the top findings with their evidence and fix, the proposed actions and any notes. Pure; readable
 * at 80 columns; colour only when asked.
 */
export function renderDiagnosisText(d: Diagnosis, options: DiagnosisTextOptions): string {
  const style = createStyle(options.color);
  const width = options.width ?? 80;
  const max = options.maxFindings ?? 5;
  const out: string[] = [];
  const verdictText = VERDICT_MARK[d.verdict];
  const colorVerdict = d.verdict === "healthy" ? style.green : d.verdict === "degraded" ? style.yellow : style.red;
  const svc = d.service;
  const glance = [
    svc.taskDefinition,
    `${svc.running}/${svc.desired} running${svc.pending > 0 ? `, ${svc.pending} pending` : ""}`,
    svc.rollout && svc.rollout !== "COMPLETED" ? `rollout ${svc.rollout}` : undefined,
  ].filter(Boolean);
  out.push(
    `${style.bold(colorVerdict(verdictText))}  ${style.bold(d.target.service)} ${style.dim(`(${d.target.cluster}, ${d.target.region})`)}`,
  );
  out.push(...wrap(d.headline, width, 0).map((l) => style.bold(l)));
  // Who is being served, before anything else: the user impact in words. Then the same lines as the top of the
  // Slack report: what explains it, what could not be read, the fix, the suspect change, the proposed action.
  out.push(...wrap(d.serving, width, 0));
  for (const id of d.primary?.explainedBy ?? []) {
    const why = d.findings.find((f) => f.id === id);
    if (why) out.push(...wrap(`↳ because ${lowerFirst(why.title)}`, width, 2));
  }
  const lowered = confidenceLowered(d);
  if (lowered) out.push(...wrap(`! ${lowered}`, width, 2).map((l) => style.yellow(l)));
  const primary = d.findings.find((f) => f.id === d.primary?.finding);
  if (primary?.fix) out.push(...wrap(`Fix: ${primary.fix}`, width, 5));
  const suspect = suspectChange(d);
  if (suspect) out.push(...wrap(`Suspect change: ${suspect.title}`, width, 2));
  for (const p of d.proposals) out.push(...wrap(`${p.kind === "rollback" ? "↩" : "⇡"} Proposed: ${p.title}`, width, 2));
  out.push(...wrap(glance.join(" · "), width, 0));
  const facts = [
    d.primary ? `confidence ${d.primary.confidence.toFixed(2)}` : undefined,
    d.onset ? `onset ${clock(d.onset)} (${ago(d.onset, d.at)})` : undefined,
    `window ${formatDistanceStrict(new Date(d.window.since), new Date(d.window.until))} to ${clock(d.window.until)}`,
  ].filter(Boolean);
  out.push(...wrap(facts.join(" · "), width, 0).map((l) => style.dim(l)), "");

  out.push(style.bold("Check order"));
  const indent = 2 + 1 + 1 + 1 + TITLE_WIDTH + 1;
  for (const s of d.steps) {
    const number = s.number === null ? " +" : String(s.number).padStart(2);
    const mark = markColor(s.status, style)(STEP_MARK[s.status]);
    // A step that is fine gets one line; the detail is in --format json. Problems get all the room they need.
    const lines = wrap(s.summary, width, indent);
    const [first = "", ...rest] =
      s.status === "ok" || s.status === "skipped"
        ? [ellipsis(lines[0] ?? "", lines.length > 1, width - indent)]
        : lines;
    out.push(`${number} ${mark} ${s.title.padEnd(TITLE_WIDTH).slice(0, TITLE_WIDTH)} ${first}`, ...rest);
  }

  const shown = d.findings.filter((f) => f.severity !== "info").slice(0, max);
  if (shown.length > 0) {
    out.push("", style.bold("Findings"));
    shown.forEach((f, i) => out.push(...findingLines(f, i + 1, d, style, width)));
    const rest = d.findings.length - shown.length;
    if (rest > 0) out.push(style.dim(`   … ${rest} more finding(s) in --format json`));
  }

  if (d.proposals.length > 0) {
    out.push("", style.bold("Actions (confirm before running)"));
    for (const p of d.proposals) {
      out.push(...wrap(`${p.kind === "rollback" ? "↩" : "⇡"} ${p.title}`, width, 2).map((l) => ` ${l}`));
      out.push(...wrap(p.reason, width, 3).map((l, i) => (i === 0 ? `   ${style.dim(l)}` : style.dim(l))));
      // The plain AWS CLI equivalent, so the change can be made (and reviewed) without ecs-medic's action path.
      const change =
        p.kind === "rollback"
          ? `--task-definition ${shortName(p.change.taskDefinition)}`
          : `--desired-count ${p.change.desiredCount}`;
      out.push(
        `   ${style.dim("$")} aws ecs update-service --cluster ${p.cluster} --service ${p.service} \\`,
        `       ${change}`,
      );
    }
  }

  if (d.notes.length > 0) {
    out.push("", style.bold("Notes"));
    for (const n of d.notes) out.push(...wrap(`- ${n}`, width, 2).map((l) => style.dim(l)));
  }
  return `${out.join("\n")}\n`;
}

function findingLines(f: Finding, n: number, d: Diagnosis, style: Style, width: number): string[] {
  const sev =
    f.severity === "critical"
      ? style.red("CRITICAL")
      : f.severity === "warn"
        ? style.yellow("WARN")
        : style.dim("INFO");
  const count = f.count > 1 ? style.dim(` ×${f.count}`) : "";
  // Leave room on the first line for the severity and count.
  const lines = wrap(`${n}. ${f.title}`, width - 14, 3);
  lines[0] = `${lines[0]}  ${sev}${count}`;
  if (f.firstSeen)
    lines.push(
      `   ${style.dim(`since ${clock(f.firstSeen)} (${ago(f.firstSeen, d.at)})${f.lastSeen && f.lastSeen !== f.firstSeen ? `, last ${clock(f.lastSeen)}` : ""}`)}`,
    );
  lines.push(...labelled("why", f.detail, width, style));
  lines.push(...labelled("fix", f.fix, width, style));
  for (const { ref, times } of groupedEvidence(f).slice(0, 3)) {
    const at = ref.at ? `${clock(ref.at)} ` : "";
    const repeat = times > 1 ? `×${times} ` : "";
    lines.push(
      ...wrap(`· ${at}${repeat}${shortArns(ref.text ?? ref.id)}`, width, 7).map((l, i) =>
        i === 0 ? `     ${style.dim(l)}` : style.dim(l),
      ),
    );
  }
  return lines;
}

function labelled(label: string, text: string, width: number, style: Style): string[] {
  return wrap(text, width, 8).map((l, i) => (i === 0 ? `   ${style.dim(label.padEnd(4))} ${l}` : l));
}

function markColor(status: StepStatus, style: Style): (s: string) => string {
  switch (status) {
    case "ok":
      return style.green;
    case "warn":
      return style.yellow;
    case "fail":
      return style.red;
    case "error":
      return style.red;
    case "skipped":
      return style.dim;
  }
}

function ellipsis(line: string, cut: boolean, room: number): string {
  if (!cut) return line;
  return line.length + 1 > room ? `${line.slice(0, room - 1)}…` : `${line}…`;
}

/** "09:48 UTC" — incidents are discussed in UTC. */
function clock(iso: string): string {
  return `${iso.slice(11, 16)} UTC`;
}

function ago(iso: string, now: string): string {
  return `${formatDistanceStrict(new Date(iso), new Date(now))} ago`;
}
