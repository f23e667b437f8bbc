import type { Evidence, StepId, StepRecord } from "../evidence/schema";

/** What a step lets the diagnosis check, for "… — subnet IPs not checked". */
const CHECKS: Record<StepId, string> = {
  "service-events": "service events",
  deployment: "the deployment",
  "stopped-tasks": "stopped tasks",
  "target-health": "target health",
  "task-logs": "task logs",
  "network-ports": "ports and security groups",
  image: "the image",
  secrets: "secrets",
  subnets: "subnet IPs",
  changes: "recent changes",
  saturation: "CPU and memory",
};

/**
 * What could not be read and why, one line per step in error or read in part, naming the denied IAM action where
 * the collector recorded it: "ec2:DescribeSubnets denied — subnet IPs not checked". The top of every report shows
 * these beside a lowered confidence (issue 9). Pure.
 */
export function unreadEvidence(evidence: Evidence): string[] {
  const out: string[] = [];
  for (const step of evidence.steps) {
    if (step.status !== "error" && step.status !== "partial") continue;
    // Step 10 still reading (the report went out before CloudTrail answered) is not a failure to read: the report
    // says "still reading" on its own line and is updated when the lookups end.
    if (step.id === "changes" && step.data?.pending && step.errors.length === 0) continue;
    const what = `${CHECKS[step.id]} ${step.status === "error" ? "not checked" : "partly checked"}`;
    const causes = [
      ...new Set(
        step.errors.map((e) => {
          const op = e.operation ?? e.code;
          return e.kind === "access_denied" ? `${op} denied` : `${op} ${e.kind.replace(/_/g, " ")}`;
        }),
      ),
    ];
    out.push(causes.length > 0 ? `${causes.slice(0, 2).join(", ")} — ${what}` : what);
  }
  return out;
}

/**
 * A step that was read but brought back nothing to judge by — no log stream found, no datapoint — is "no data",
 * never the ✅ of a passed check (issue 9). Steps whose empty answer is itself a fact (no stopped task, no change,
 * no secret) are not listed here.
 */
export function noData(step: StepRecord): string | undefined {
  switch (step.id) {
    case "task-logs":
      return step.data && step.data.streams.length === 0 ? "no data: no log stream was found for the tasks" : undefined;
    case "saturation":
      return step.data && step.data.series.every((s) => s.points.length === 0)
        ? "no data: CloudWatch returned no datapoints"
        : undefined;
    case "subnets":
      return step.data && step.data.subnets.length === 0 ? "no data: no subnet could be described" : undefined;
    case "image":
      return step.data && step.data.images.length === 0 ? "no data: no image was checked" : undefined;
    default:
      return undefined;
  }
}
