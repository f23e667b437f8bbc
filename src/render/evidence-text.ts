import { formatDistanceStrict } from "date-fns";
import { STEPS } from "../collect/steps";
import type { Step } from "../collect/step";
import type { CollectionStatus, Evidence, StepError, StepRecord } from "../evidence/schema";
import { createStyle, wrap, type Style } from "./style";

export interface TextOptions {
  readonly color: boolean;
  /** @default 80 */
  readonly width?: number;
}

const MARK: Record<CollectionStatus, string> = { collected: "✓", partial: "◐", skipped: "–", error: "✗" };
/** Fits the longest step title ("Secrets and config", "Network and ports") and leaves 56 columns at 80. */
const TITLE_WIDTH = 18;

/**
 * The evidence report for a terminal: the target, the window, then each step with what was collected or why not.
 * Pure: the same snapshot always prints the same text (replays included).
 */
export function renderEvidenceText(evidence: Evidence, options: TextOptions): string {
  const style = createStyle(options.color);
  const width = options.width ?? 80;
  const { target, window } = evidence;
  const span = formatDistanceStrict(new Date(window.since), new Date(window.until));
  const out: string[] = [
    style.bold(`ecs-medic · ${target.service} in ${target.cluster}`) + style.dim(` (${[target.account, target.region].filter(Boolean).join(", ")})`),
    style.dim(`window ${window.since} → ${window.until} (${span}) · collected in ${(evidence.durationMs / 1000).toFixed(1)} s`),
    serviceLine(evidence),
    "",
  ];
  for (const error of evidence.contextErrors) out.push(style.red(`! ${error.hint}`));

  const byId = new Map(STEPS.map((s) => [s.id, s]));
  for (const record of evidence.steps) {
    const step = byId.get(record.id);
    out.push(...stepLines(record, step, style, width));
  }
  const counts = countStatuses(evidence.steps);
  out.push("", style.dim(`${counts.collected} collected · ${counts.partial} partial · ${counts.skipped} skipped · ${counts.error} failed`));
  return `${out.join("\n")}\n`;
}

function serviceLine(evidence: Evidence): string {
  const s = evidence.service;
  const td = s.taskDefinition?.split("/").pop() ?? "?";
  const launch = s.launchType ?? s.capacityProviderStrategy.map((c) => c.capacityProvider).join("+") ?? "";
  return `${s.status ?? ""} · ${s.runningCount}/${s.desiredCount} running, ${s.pendingCount} pending · ${td}${launch ? ` · ${launch}` : ""}`;
}

function stepLines(record: StepRecord, step: Step | undefined, style: Style, width: number): string[] {
  const number = step?.number === null || step === undefined ? " +" : String(step.number).padStart(2);
  const title = (step?.title ?? record.id).padEnd(TITLE_WIDTH).slice(0, TITLE_WIDTH);
  const mark = colorMark(record.status, style);
  const indent = 2 + 1 + 2 + TITLE_WIDTH + 1;
  const text = describe(record, step);
  const [first = "", ...rest] = wrap(text, width, indent);
  const lines = [`${number} ${mark} ${title} ${first}`, ...rest];
  for (const error of record.status === "error" ? [] : record.errors) {
    lines.push(...wrap(`↳ ${errorText(error)}`, width, indent + 2).map((l, i) => (i === 0 ? `${" ".repeat(indent)}${style.yellow(l)}` : style.yellow(l))));
  }
  return lines;
}

function describe(record: StepRecord, step: Step | undefined): string {
  switch (record.status) {
    case "error":
      return record.errors.map(errorText).join("; ") || "failed";
    case "skipped":
      return `skipped: ${record.skipReason ?? "not applicable"}`;
    case "collected":
    case "partial":
      if (!record.data || !step) return record.status;
      try {
        return step.summarize(record.data);
      } catch {
        return record.status; // A summary must never hide the rest of the report.
      }
  }
}

function errorText(error: StepError): string {
  return error.hint;
}

function colorMark(status: CollectionStatus, style: Style): string {
  const mark = MARK[status];
  switch (status) {
    case "collected":
      return style.green(mark);
    case "partial":
      return style.yellow(mark);
    case "skipped":
      return style.dim(mark);
    case "error":
      return style.red(mark);
  }
}

export function countStatuses(steps: readonly StepRecord[]): Record<CollectionStatus, number> {
  const counts: Record<CollectionStatus, number> = { collected: 0, partial: 0, skipped: 0, error: 0 };
  for (const s of steps) counts[s.status] += 1;
  return counts;
}
