import type { Check } from "./check";
import { circuitBreakerBlindSpotCheck } from "./circuit-breaker-blind-spot";
import { healthCheckMisconfiguredCheck } from "./health-check-misconfigured";
import { imageNotFoundCheck } from "./image-not-found";
import { mutableImageTagCheck } from "./mutable-image-tag";
import { portMismatchCheck } from "./port-mismatch";
import { recentChangeCheck } from "./recent-change";
import { secretNotReadableCheck } from "./secret-not-readable";
import { securityGroupBlocksTrafficCheck } from "./security-group-blocks-traffic";
import { subnetIpLowCheck } from "./subnet-ip-low";
import { taskCapacitySaturatedCheck } from "./task-capacity-saturated";

/**
 * The configuration checks, in check order (the step each belongs to, DESIGN.md §3). A check's hits name a text
 * in playbooks/checks/*.yaml: the check's id, or `<check id>.<variant>` when one check has several findings
 * with different words (`port-mismatch.health-check-port`).
 */
export const CHECKS: readonly Check[] = [
  circuitBreakerBlindSpotCheck,
  healthCheckMisconfiguredCheck,
  portMismatchCheck,
  securityGroupBlocksTrafficCheck,
  imageNotFoundCheck,
  mutableImageTagCheck,
  secretNotReadableCheck,
  subnetIpLowCheck,
  recentChangeCheck,
  taskCapacitySaturatedCheck,
];

export type { Check, CheckContext, CheckHit } from "./check";
