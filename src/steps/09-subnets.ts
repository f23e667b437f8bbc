import type { StepEntry } from "./entry";

export const subnetsEntry: StepEntry<"subnets"> = {
  id: "subnets",
  number: 9,
  title: "Subnet IPs",
  summarize(data) {
    const each = data.subnets
      .map(
        (s) =>
          `${s.subnetId}${s.availabilityZone ? ` (${s.availabilityZone})` : ""}: ${s.availableIpAddressCount ?? "?"}`,
      )
      .join(", ");
    const uncounted = data.subnets.filter((s) => s.availableIpAddressCount === undefined).length;
    const note = uncounted > 0 ? ` (${uncounted} subnet(s) without a count left out)` : "";
    const percent = `${data.maximumPercent}%${data.maximumPercentDefaulted ? " (ECS default)" : ""}`;
    return `${data.totalAvailable} free IP(s)${note} in ${data.subnets.length} subnet(s) [${each}]; a deployment may need ${data.surgeNeed} more (desired ${data.desiredCount} × ${percent} − running ${data.runningCount})`;
  },
};
