import type { StepEntry } from "./entry";

export const targetHealthEntry: StepEntry<"target-health"> = {
  id: "target-health",
  number: 4,
  title: "Target health",
  summarize(data) {
    const all = data.targetGroups.flatMap((g) => g.targets);
    const healthy = all.filter((t) => t.state === "healthy").length;
    const parts = [`${data.targetGroups.length} target group(s): ${healthy}/${all.length} healthy`];
    const byState = new Map<string, Map<string, number>>();
    for (const t of all) {
      if (t.state === "healthy") continue;
      const reasons = byState.get(t.state) ?? new Map<string, number>();
      const key = t.reason ?? "no reason";
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
      byState.set(t.state, reasons);
    }
    for (const [state, reasons] of byState) {
      parts.push(`${state}: ${[...reasons].map(([reason, n]) => `${reason} ×${n}`).join(", ")}`);
    }
    const undescribed = data.targetGroups.filter((g) => g.describeError);
    if (undescribed.length > 0) {
      parts.push(
        `${undescribed.length} group(s) not described (${[...new Set(undescribed.map((g) => g.describeError!.code))].join(", ")})`,
      );
    }
    const failed = data.targetGroups.filter((g) => g.error);
    if (failed.length > 0) {
      parts.push(`${failed.length} group(s) unreadable (${[...new Set(failed.map((g) => g.error!.kind))].join(", ")})`);
    }
    return parts.join("; ");
  },
};
