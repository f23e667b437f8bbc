import { analyzeSaturation } from "../saturation";
import type { Check } from "./check";
import { stepData } from "./evidence-access";

/**
 * The emergency-scale case: tasks are short of capacity (CPU or memory high, or load and latency rising) while
 * nothing is crashing. Crashes, OOM loops and start-up failures are other findings; scaling never fixes them, so
 * this check stays silent when one is present. A warning, not a failure: the tasks still serve, so the verdict is
 * "degraded" and a deploy gate is not blocked by load alone.
 */
export const taskCapacitySaturatedCheck: Check = {
  id: "task-capacity-saturated",
  step: "saturation",
  run(ctx) {
    const analysis = analyzeSaturation(stepData(ctx.evidence, "saturation"), ctx.thresholds);
    const resourceHigh = analysis.cpuHigh || analysis.memoryHigh;
    const loadRising = analysis.requestsRising && (analysis.latencyRising || analysis.errorsRising);
    if (!resourceHigh && !loadRising) return [];
    const failing = ctx.messageFindings.some((f) => f.severity === "critical" && f.role === "cause");
    if (failing) return [];
    return [
      {
        check: "task-capacity-saturated",
        step: "saturation",
        vars: { saturation: analysis.summary },
        evidence: analysis.evidence,
      },
    ];
  },
};
