import { SEVERITIES } from "./symptoms";
import type { Finding } from "./types";

/**
 * Orders findings the way an on-call engineer should read them: severity first, root causes before their effects
 * (a failed deployment is what OOM kills look like from above), then how much evidence shows it, then how close
 * its first sighting is to the onset of the incident.
 */
export function rankFindings(findings: readonly Finding[], onset?: string): Finding[] {
  const onsetMs = onset ? Date.parse(onset) : undefined;
  const distance = (f: Finding) =>
    onsetMs === undefined || !f.firstSeen ? Number.POSITIVE_INFINITY : Math.abs(Date.parse(f.firstSeen) - onsetMs);
  const sorted = [...findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
      (a.role === b.role ? 0 : a.role === "cause" ? -1 : 1) ||
      b.count - a.count ||
      distance(a) - distance(b) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return placeExplanations(sorted);
}

/**
 * A configuration finding that explains a message finding (the security group that makes health checks time out)
 * is read right after it, whatever its own evidence count.
 */
function placeExplanations(sorted: Finding[]): Finding[] {
  const out: Finding[] = [];
  const placed = new Set<Finding>();
  for (const f of sorted) {
    if (placed.has(f)) continue;
    out.push(f);
    placed.add(f);
    for (const e of sorted) {
      if (!placed.has(e) && e.explains?.includes(f.symptom) && e.severity !== "info") {
        out.push(e);
        placed.add(e);
      }
    }
  }
  return out;
}

/**
 * How sure the primary finding is, 0–1: more evidence, evidence from several steps, and a specific cause all raise
 * it; an effect or an unrecognised message lowers it. A heuristic, shown to people as a hint, never used to act.
 */
export function confidence(
  primary: Finding,
  all: readonly Finding[],
  explanations = 0,
  unread: { readonly failed: number; readonly partial: number } = { failed: 0, partial: 0 },
): number {
  // Evidence that could not be read might have said otherwise: each step in error, and less for each partial one
  // (or a task definition that could not be read), lowers the confidence, whatever the rest says.
  const missing = Math.min(unread.failed * 0.1 + unread.partial * 0.05, 0.4);
  if (primary.rule === "unrecognised") return Math.round(Math.max(0.1, 0.3 - missing) * 100) / 100;
  let score =
    primary.steps.includes("network-ports") || primary.steps.includes("image") || primary.steps.includes("subnets")
      ? 0.55
      : 0.6;
  score += Math.min(primary.count, 5) * 0.05;
  if (primary.steps.length > 1) score += 0.1;
  if (primary.cause) score += 0.05;
  if (primary.role === "effect") score -= 0.2;
  if (explanations > 0) score += 0.1;
  const rivals = all.filter(
    (f) =>
      f !== primary &&
      f.severity === primary.severity &&
      f.role === "cause" &&
      f.rule !== "unrecognised" &&
      !f.explains?.includes(primary.symptom),
  );
  score -= Math.min(rivals.length, 3) * 0.05;
  return Math.round(Math.max(0.1, Math.min(0.95, score) - missing) * 100) / 100;
}
