import { familyOf } from "../aws/arn";
import { SCALE_BLOCKERS } from "../diagnose/proposals";
import { shortName } from "../diagnose/template";
import type { Diagnosis } from "../diagnose/types";
import type { Evidence } from "../evidence/schema";
import { revisionDigests } from "../evidence/read";
import { lastKnownGood } from "./rollback-target";
import type { PlannedAction } from "./types";

export type Plan =
  { readonly ok: true; readonly action: PlannedAction } | { readonly ok: false; readonly reason: string };

/** Default emergency scale factor and cap when the config names none. */
export const SCALE_DEFAULTS = { factor: 2, maxDesired: 50 } as const;

const short = (arn: string) => shortName(arn) ?? arn;

/**
 * A rollback plan from a fresh diagnosis: to `--to` when given (same family as the current revision; that it exists
 * and is ACTIVE is checked when acting), else to the last known-good revision (`lastKnownGood`). Pure.
 */
export function planRollback(evidence: Evidence, to?: string): Plan {
  const current = evidence.service.taskDefinition;
  const service = evidence.target.service;
  if (!current) return { ok: false, reason: `${service} names no task definition` };
  let target: string;
  if (to) {
    target = qualify(to, current);
    if (familyOf(target) !== familyOf(current))
      return { ok: false, reason: `--to ${to} is not a revision of ${familyOf(current)} (the family ${service} runs)` };
  } else {
    const good = lastKnownGood(evidence);
    if (!good.ok) return { ok: false, reason: good.reason };
    target = good.taskDefinition;
  }
  if (target === current) return { ok: false, reason: `${service} already runs ${short(current)}` };
  return {
    ok: true,
    action: {
      kind: "rollback",
      title: `Roll back ${service} from ${short(current)} to ${short(target)}`,
      reason: to ? `asked for ${short(target)}` : `${short(target)} is the last revision that completed a rollout`,
      region: evidence.target.region,
      cluster: evidence.target.cluster,
      service,
      expect: { taskDefinition: current, desiredCount: evidence.service.desiredCount },
      change: { taskDefinition: target },
      targetDigests: revisionDigests(evidence, target),
    },
  };
}

export interface ScaleOptions {
  readonly to?: number | undefined;
  readonly factor?: number | undefined;
  /** The most tasks an emergency scale may ask for (config `actions.scale.maxDesired`). */
  readonly maxDesired: number;
}

/**
 * An emergency scale-out plan: new desired = `--to`, else min(⌈desired × factor⌉, cap). Refused when more tasks cannot
 * help — the diagnosis shows a crash or OOM loop, a pull or start-up failure, no room to place tasks (SCALE_BLOCKERS)
 * — since more tasks would only fail the same way. Free IPs and the autoscaler are checked when acting. Pure.
 */
export function planScale(evidence: Evidence, diagnosis: Diagnosis, options: ScaleOptions): Plan {
  const service = evidence.target.service;
  const desired = evidence.service.desiredCount;
  const blocker = diagnosis.findings.find((f) => f.severity === "critical" && SCALE_BLOCKERS.has(f.symptom));
  if (blocker)
    return {
      ok: false,
      reason: `${blocker.title}: more tasks would fail the same way (${blocker.symptom}) — fix the cause or roll back instead`,
    };
  const factor = options.factor ?? SCALE_DEFAULTS.factor;
  const wanted = options.to ?? Math.ceil(Math.max(desired, 1) * factor);
  const to = Math.min(wanted, options.maxDesired);
  if (to <= desired)
    return {
      ok: false,
      reason:
        wanted > options.maxDesired
          ? `the cap is ${options.maxDesired} tasks and ${service} already wants ${desired}`
          : `${service} already wants ${desired} task(s); ${to} is not a scale-out`,
    };
  const capped = wanted > to ? ` (capped at ${options.maxDesired} from ${wanted})` : "";
  return {
    ok: true,
    action: {
      kind: "scale",
      title: `Scale ${service} from ${desired} to ${to} tasks${capped}`,
      reason: options.to !== undefined ? `asked for ${options.to}` : `× ${factor}`,
      region: evidence.target.region,
      cluster: evidence.target.cluster,
      service,
      expect: { taskDefinition: evidence.service.taskDefinition, desiredCount: desired },
      change: { desiredCount: to },
    },
  };
}

/** `payment-api:41` or `41` → the full ARN in the current revision's account and region. */
function qualify(to: string, current: string): string {
  if (to.startsWith("arn:")) return to;
  const prefix = current.slice(0, current.lastIndexOf("/") + 1);
  const family = familyOf(current) ?? "";
  return /^\d+$/.test(to) ? `${prefix}${family}:${to}` : `${prefix}${to}`;
}
