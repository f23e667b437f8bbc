import type { Check } from "./check";
import { stepData } from "./evidence-access";

/**
 * Step 9 — the service's awsvpc subnets have fewer free IPs than a deployment may need at once
 * (desired × maximumPercent / 100 − running, each task one ENI). Critical when there are none left, or fewer
 * than the tasks still missing now (desired − running); warn otherwise (the next deployment will stall part-way).
 * Subnets EC2 gave no count for are left out, never taken as 0; with no counted subnet at all there is no hit.
 */
export const subnetIpLowCheck: Check = {
  id: "subnet-ip-low",
  step: "subnets",
  run(ctx) {
    const data = stepData(ctx.evidence, "subnets");
    if (!data) return [];
    const counted = data.subnets.filter(
      (s): s is typeof s & { availableIpAddressCount: number } => s.availableIpAddressCount !== undefined,
    );
    if (counted.length === 0 || data.surgeNeed <= 0) return [];
    const free = counted.reduce((sum, s) => sum + s.availableIpAddressCount, 0);
    if (free >= data.surgeNeed) return [];
    // During a rollout the service's runningCount counts old and new tasks alike; the PRIMARY deployment's own
    // counts say how many new tasks are still to start.
    const primary = stepData(ctx.evidence, "deployment")?.deployments.find((d) => d.status === "PRIMARY");
    const missing = Math.max(
      0,
      data.desiredCount - data.runningCount,
      primary ? primary.desiredCount - primary.runningCount : 0,
    );
    const severity = free === 0 || free < missing ? "critical" : "warn";
    const uncounted = data.subnets.length - counted.length;
    return [
      {
        check: "subnet-ip-low",
        step: "subnets",
        severity,
        vars: {
          free: String(free),
          need: String(data.surgeNeed),
          missing: String(missing),
          maximumPercent: `${data.maximumPercent}%${data.maximumPercentDefaulted ? " (ECS default)" : ""}`,
          subnetCounts: counted
            .map(
              (s) =>
                `${s.subnetId}${s.availabilityZone ? ` (${s.availabilityZone})` : ""}: ${s.availableIpAddressCount}`,
            )
            .join(", "),
          uncountedNote: uncounted > 0 ? ` ${uncounted} subnet(s) reported no count and are left out.` : "",
        },
        evidence: counted.map((s) => ({
          step: "subnets" as const,
          kind: "config" as const,
          id: s.subnetId,
          text: `${s.subnetId}${s.cidrBlock ? ` ${s.cidrBlock}` : ""}${s.availabilityZone ? ` ${s.availabilityZone}` : ""}: ${s.availableIpAddressCount} free IP(s)`,
        })),
      },
    ];
  },
};
