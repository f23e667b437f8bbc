import type { StepId, Target } from "../evidence/schema";
import type { Severity, Symptom } from "./symptoms";

/**
 * The diagnosis: a pure function of an evidence snapshot and the playbooks. Plain, readonly, serialisable data —
 * no clock, no ids generated at random: the same snapshot always gives the same diagnosis.
 */

export const STEP_STATUSES = ["ok", "warn", "fail", "skipped", "error"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const VERDICTS = ["healthy", "degraded", "failing"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Points into the snapshot: which step, what kind of item, and its id there (task ARN, event id, target id …). */
export interface EvidenceRef {
  readonly step: StepId;
  readonly kind: "task" | "event" | "deployment" | "target" | "log" | "change" | "config" | "metric";
  readonly id: string;
  /** When it happened, if known (ISO). */
  readonly at?: string | undefined;
  /** The message or fact itself, redacted, short. */
  readonly text?: string | undefined;
}

export interface Finding {
  /** Stable within a diagnosis: `symptom` or `symptom:check`. */
  readonly id: string;
  readonly symptom: Symptom;
  readonly cause?: string | undefined;
  readonly severity: Severity;
  readonly title: string;
  /** Why it happens (the rule's `why`, filled in). */
  readonly detail: string;
  /** The next thing to do (the rule's `fix`, filled in). */
  readonly fix: string;
  readonly next: readonly string[];
  /** The rule or check that produced it. */
  readonly rule: string;
  /** Steps whose evidence shows it, first the one it belongs to most. */
  readonly steps: readonly StepId[];
  /** A root cause, or an effect of another problem (a failed deployment, a crash loop). */
  readonly role: "cause" | "effect";
  readonly evidence: readonly EvidenceRef[];
  /** How many pieces of evidence (tasks, events, targets, lines) show it; evidence[] keeps the newest few. */
  readonly count: number;
  readonly firstSeen?: string | undefined;
  readonly lastSeen?: string | undefined;
  /** Message-level symptoms this (configuration) finding explains. */
  readonly explains?: readonly string[] | undefined;
}

export interface StepResult {
  readonly step: StepId;
  readonly number: number | null;
  readonly title: string;
  readonly status: StepStatus;
  /** One line: what the collector saw, or why it could not look. */
  readonly summary: string;
  /** Ids of the findings this step shows, most important first. */
  readonly findings: readonly string[];
  /** For `error` and `skipped`: the actionable reason. */
  readonly reason?: string | undefined;
}

/** A guarded change the bot may offer. Executing it belongs to the actions module (it re-reads and compares). */
export interface ActionProposal {
  readonly kind: "rollback" | "scale";
  readonly title: string;
  /** Why it is offered, and why it is safe. */
  readonly reason: string;
  readonly cluster: string;
  readonly service: string;
  /** What the service must still look like when the action runs; anything else means refuse. */
  readonly expect: { readonly taskDefinition?: string | undefined; readonly desiredCount: number };
  /** The exact change. */
  readonly change: { readonly taskDefinition?: string | undefined; readonly desiredCount?: number | undefined };
  /**
   * Rollback only: the image digest each container of the target revision ran (from the snapshot's tasks), so a
   * mutable tag that has moved since is refused when acting.
   */
  readonly targetDigests?: Readonly<Record<string, string>> | undefined;
}

export interface Diagnosis {
  readonly schemaVersion: 1;
  readonly target: Target;
  readonly window: { readonly since: string; readonly until: string };
  /** The snapshot's collection time: the diagnosis' "now". */
  readonly at: string;
  readonly verdict: Verdict;
  readonly headline: string;
  /** The service at a glance when the evidence was collected. */
  readonly service: {
    readonly taskDefinition?: string | undefined;
    readonly running: number;
    readonly desired: number;
    readonly pending: number;
    /** The PRIMARY deployment's rollout, e.g. "IN_PROGRESS" or "COMPLETED". */
    readonly rollout?: string | undefined;
  };
  /** Who is being served, in one line: "Serving: 6/6 target(s) healthy on payment-api:42 · payment-api:43 cannot start". */
  readonly serving: string;
  /** First failure seen in the evidence (ISO), if any. */
  readonly onset?: string | undefined;
  readonly primary?:
    | {
        readonly finding: string;
        readonly confidence: number;
        /** Configuration findings that explain the primary symptom (the "why" behind the "what"). */
        readonly explainedBy: readonly string[];
      }
    | undefined;
  /** Ranked: severity, root cause before effect, evidence count, closeness to onset. */
  readonly findings: readonly Finding[];
  readonly steps: readonly StepResult[];
  readonly proposals: readonly ActionProposal[];
  /**
   * Evidence that could not be read, each with the denied IAM action when known: "ec2:DescribeSubnets denied —
   * subnet IPs not checked". When not empty the confidence is lowered and the top of every report says why.
   */
  readonly unread?: readonly string[] | undefined;
  /** Things a person should know that are not findings (missing evidence, assumptions). */
  readonly notes: readonly string[];
}
