import type { ActionProposal } from "../diagnose/types";

/** A proposal as a button or a CLI plan carries it: the diagnosis' proposal plus where the service lives. */
export interface PlannedAction extends ActionProposal {
  readonly region: string;
}

/** Who asked for the change. */
export interface Actor {
  /** Slack user id (`U04ALICE`) or, at a terminal, the local user name. */
  readonly id: string;
  readonly via: "slack" | "cli";
  /** Slack workspace, for the audit. */
  readonly teamId?: string | undefined;
}

/** What the service looked like (before) or looks like (after) the change. */
export interface ServiceState {
  readonly taskDefinition: string;
  readonly desiredCount: number;
  /** Application Auto Scaling's MaxCapacity for the service, when a scalable target exists. */
  readonly autoscalingMax?: number | undefined;
  readonly autoscalingMin?: number | undefined;
}

export type ActionOutcome =
  | {
      readonly status: "done";
      readonly proposalId: string;
      readonly before: ServiceState;
      readonly after: ServiceState;
      /** What else a person should know (the autoscaler's max raised, a tag not verified). */
      readonly notes: readonly string[];
    }
  /** Not allowed (who), or unsafe (what): nothing was changed. */
  | { readonly status: "refused"; readonly proposalId: string; readonly reason: string; readonly before?: ServiceState }
  /** The service changed since the report: nothing was changed; re-run for a fresh proposal. */
  | { readonly status: "stale"; readonly proposalId: string; readonly reason: string; readonly before: ServiceState }
  /** This proposal already ran (or is running): a double click or a retry. */
  | { readonly status: "duplicate"; readonly proposalId: string }
  /** AWS refused the change part-way or the re-read failed. */
  | { readonly status: "failed"; readonly proposalId: string; readonly reason: string; readonly before?: ServiceState };

export type ActionStatus = ActionOutcome["status"];

/** One line of the audit trail, written for every attempt whatever its outcome. */
export interface AuditRecord {
  readonly at: string;
  readonly proposalId: string;
  readonly kind: PlannedAction["kind"];
  readonly region: string;
  readonly cluster: string;
  readonly service: string;
  readonly actor: Actor;
  readonly outcome: ActionStatus;
  readonly reason?: string | undefined;
  readonly expect: PlannedAction["expect"];
  readonly change: PlannedAction["change"];
  readonly before?: ServiceState | undefined;
  readonly after?: ServiceState | undefined;
}
