import type { Diagnosis, EvidenceRef, Finding } from "../diagnose/types";

/**
 * Presentation helpers every translator of the render model shares (terminal, Slack): what people see is grouped,
 * shortened and phrased the same way whatever the sink.
 */

/** Identical evidence texts (nine tasks with the same stop reason) are shown once with a count. */
export function groupedEvidence(f: Finding): { ref: EvidenceRef; times: number }[] {
  const groups = new Map<string, { ref: EvidenceRef; times: number }>();
  for (const ref of f.evidence) {
    const key = `${ref.step}\u0000${ref.text ?? ref.id}`;
    const group = groups.get(key);
    if (group) group.times += 1;
    else groups.set(key, { ref, times: 1 });
  }
  return [...groups.values()];
}

/**
 * On screen, `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/payment-api-tg/0123…` reads as
 * `targetgroup/payment-api-tg/0123…`: the account and region are in the header. JSON keeps the full ARN.
 */
export function shortArns(text: string): string {
  return text.replace(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:/g, "");
}

/** "The tasks' security groups …" → "the tasks' security groups …", for use after "because". */
export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? `${text[0]!.toLowerCase()}${text.slice(1)}` : text;
}

/** "Confidence lowered: ec2:DescribeSubnets denied — subnet IPs not checked", or undefined when all was read. */
export function confidenceLowered(d: Diagnosis): string | undefined {
  const unread = d.unread ?? [];
  if (unread.length === 0) return undefined;
  const shown = unread.slice(0, 2).join("; ");
  return `Confidence lowered: ${shown}${unread.length > 2 ? ` (+${unread.length - 2} more)` : ""}`;
}

/** The change CloudTrail puts just before the failure, unless the report already leads with it. */
export function suspectChange(d: Diagnosis, shown: ReadonlySet<string> = new Set()): Finding | undefined {
  return d.findings.find(
    (f) => f.symptom === "recent_change" && f.severity !== "info" && f.id !== d.primary?.finding && !shown.has(f.id),
  );
}
