/**
 * Typed errors for everything ecs-medic reports to a person. User-facing text is chosen by `code`,
 * never parsed out of `message`; the original error travels in `cause`.
 */

export const ErrorCode = {
  /** Bad command-line or slash-command input. */
  Usage: "USAGE",
  /** A cluster or service name that AWS would reject, caught before any call. */
  InvalidName: "INVALID_NAME",
  /** No service matched the name in the clusters searched. */
  TargetNotFound: "TARGET_NOT_FOUND",
  /** Several services matched; the caller must say which. */
  TargetAmbiguous: "TARGET_AMBIGUOUS",
  /** A saved evidence snapshot is unreadable or does not match the schema. */
  EvidenceInvalid: "EVIDENCE_INVALID",
  /** Nothing at all could be collected (no credentials, no region, every call failed). */
  CollectionFailed: "COLLECTION_FAILED",
  /** A playbook file is not valid YAML or breaks the playbook schema. */
  PlaybookInvalid: "PLAYBOOK_INVALID",
  /** A playbook regex that cannot be compiled or could run away (checked at load). */
  PatternInvalid: "PATTERN_INVALID",
  /** An AWS call failed; the SDK error is the `cause`, the IAM action is `operation`. */
  AwsCallFailed: "AWS_CALL_FAILED",
  /** A Slack `/ecs …` command that cannot be run as typed. */
  CommandInvalid: "COMMAND_INVALID",
  /** The work did not finish within its time budget. */
  DeadlineExceeded: "DEADLINE_EXCEEDED",
  /** A failure ecs-medic has no words for: a bug, reported with a correlation id. */
  Internal: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class EcsMedicError extends Error {
  override readonly name: string = "EcsMedicError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class UsageError extends EcsMedicError {
  override readonly name = "UsageError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Usage, message, options);
  }
}

export class InvalidNameError extends EcsMedicError {
  override readonly name = "InvalidNameError";
  constructor(message: string) {
    super(ErrorCode.InvalidName, message);
  }
}

export class TargetNotFoundError extends EcsMedicError {
  override readonly name = "TargetNotFoundError";
  constructor(
    readonly service: string,
    readonly clustersSearched: readonly string[],
    message: string,
  ) {
    super(ErrorCode.TargetNotFound, message);
  }
}

/** One service that matched an ambiguous name. */
export interface TargetCandidate {
  readonly cluster: string;
  readonly service: string;
  readonly serviceArn: string;
}

export class TargetAmbiguousError extends EcsMedicError {
  override readonly name = "TargetAmbiguousError";
  constructor(
    readonly service: string,
    readonly candidates: readonly TargetCandidate[],
    message: string,
  ) {
    super(ErrorCode.TargetAmbiguous, message);
  }
}

export class EvidenceInvalidError extends EcsMedicError {
  override readonly name = "EvidenceInvalidError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.EvidenceInvalid, message, options);
  }
}

export class CollectionFailedError extends EcsMedicError {
  override readonly name = "CollectionFailedError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CollectionFailed, message, options);
  }
}

/**
 * An AWS call that failed, tagged with the IAM-style operation name (`ecs:ListTasks`) so the
 * step that made it can say which permission is missing. Thrown by `awsCall`; the cause is the SDK error.
 */
export class AwsCallError extends EcsMedicError {
  override readonly name = "AwsCallError";
  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super(ErrorCode.AwsCallFailed, `${operation} failed: ${describeCause(options.cause)}`, options);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

/** A Slack command that cannot be run; `message` says what to type instead (it is written for the person). */
export class CommandError extends EcsMedicError {
  override readonly name = "CommandError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.CommandInvalid, message, options);
  }
}

/** A playbook pattern refused at load; `field` is the rule field that holds it (`match.any[2]`). */
export class PatternError extends EcsMedicError {
  override readonly name = "PatternError";
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.PatternInvalid, message, options);
  }
}

/** Work that ran out of its time budget; `pending` names what was still running (step titles). */
export class DeadlineError extends EcsMedicError {
  override readonly name = "DeadlineError";
  constructor(
    readonly budgetMs: number,
    readonly pending: readonly string[],
  ) {
    super(ErrorCode.DeadlineExceeded, `ran out of time after ${Math.round(budgetMs / 1000)} s`);
  }
}

/** A playbook that cannot be loaded. The message names the file, the rule (when known) and the field. */
export class PlaybookInvalidError extends EcsMedicError {
  override readonly name = "PlaybookInvalidError";
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.PlaybookInvalid, message, options);
  }
}
