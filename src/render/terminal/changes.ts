import type { Diagnosis } from "../../diagnose/types";
import type { DiagnosisTextOptions } from "./report";
import { createStyle, wrap } from "./style";

/**
 * What the terminal prints when step 10's lookups arrive after the report went out without them ("recent changes:
 * still reading"): step 10's line, the suspect change with what to revert — or that no change on the service's
 * path came before the failure — and the verdict again when the update changes it (it should not: a change is a
 * suspect, never a failure).
 */
export function renderChangesUpdate(first: Diagnosis, final: Diagnosis, options: DiagnosisTextOptions): string {
  const style = createStyle(options.color);
  const width = options.width ?? 80;
  const out: string[] = ["", style.bold("Recent changes (CloudTrail, arrived after the report)")];
  const step = final.steps.find((s) => s.step === "changes");
  if (step) out.push(...wrap(`10 ${step.title}: ${step.summary}`, width, 2));
  const changes = final.findings.filter((f) => f.symptom === "recent_change");
  const suspect = changes.find((f) => f.severity !== "info");
  if (suspect) {
    out.push(...wrap(`Suspect change: ${suspect.title}`, width, 2).map((l) => style.yellow(l)));
    out.push(...wrap(`→ ${suspect.fix}`, width, 4));
  } else if (changes.length > 0) {
    out.push(...wrap(`Routine only: ${changes[0]!.title}`, width, 2).map((l) => style.dim(l)));
  } else if (step?.status !== "error") {
    out.push(...wrap("No change on the service's path before the first failure.", width, 2).map((l) => style.dim(l)));
  }
  if (final.verdict !== first.verdict) out.push(...wrap(`Verdict now: ${final.verdict} — ${final.headline}`, width, 2));
  return `${out.join("\n")}\n`;
}
