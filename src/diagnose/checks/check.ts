import type { Evidence, StepId } from "../../evidence/schema";
import type { CheckOrder } from "../playbook-schema";
import type { Severity } from "../symptoms";
import type { TemplateVars } from "../template";
import type { EvidenceRef, Finding } from "../types";

/** What a configuration check may look at. All pure data. */
export interface CheckContext {
  readonly evidence: Evidence;
  readonly thresholds: CheckOrder["thresholds"];
  /** Findings already made from messages (stopped reasons, events, target health, logs, CloudTrail). */
  readonly messageFindings: readonly Finding[];
  /** The first failure seen in the evidence (ISO), if any. */
  readonly onset?: string | undefined;
  /** Values every rule text can use: service, cluster, taskDefinition, roles, subnets, ports … */
  readonly vars: TemplateVars;
}

/** One thing a check found. The engine turns it into a Finding with the words of playbooks/checks/<check>. */
export interface CheckHit {
  /** Id of the text in playbooks/checks/*.yaml. */
  readonly check: string;
  readonly step: StepId;
  /** Values for the text's placeholders, on top of the context's vars. */
  readonly vars: TemplateVars;
  readonly evidence: readonly EvidenceRef[];
  /** Overrides the text's severity when the same check has a mild and a severe form. */
  readonly severity?: Severity | undefined;
  readonly at?: string | undefined;
}

/**
 * A configuration check (DESIGN.md §4, configuration-level symptoms): structural logic over the snapshot, in
 * TypeScript; its title, why and fix live in YAML. A check never throws for missing data — it returns no hit.
 *
 * @example
 * export const subnetIpLowCheck: Check = {
 *   id: "subnet-ip-low", step: "subnets",
 *   run: (ctx) => { … return [{ check: "subnet-ip-low", step: "subnets", vars: { free: "3", need: "10" }, evidence: [...] }]; },
 * };
 */
export interface Check {
  readonly id: string;
  readonly step: StepId;
  run(ctx: CheckContext): readonly CheckHit[];
}
