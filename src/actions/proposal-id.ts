import { createHash } from "node:crypto";
import type { PlannedAction } from "./types";

/**
 * A stable id for one proposed change: the same kind, target, expected state and change give the same id, so a double
 * click, a Slack retry and a second person pressing the same button all claim one record and run once.
 */
export function proposalId(p: PlannedAction): string {
  const canonical = JSON.stringify([
    p.kind,
    p.region,
    p.cluster,
    p.service,
    p.expect.taskDefinition ?? null,
    p.expect.desiredCount,
    p.change.taskDefinition ?? null,
    p.change.desiredCount ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 20);
}
