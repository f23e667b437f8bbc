import { randomUUID } from "node:crypto";
import { toStepError } from "../aws/step-error";
import { StepErrorKind } from "../evidence/schema";
import {
  AwsCallError,
  DeadlineError,
  EcsMedicError,
  ErrorCode,
  TargetAmbiguousError,
  type TargetCandidate,
} from "../errors";
import type { Logger } from "./logger";

/**
 * A failed use case, in the words a person reads — the one table every sink (terminal, Slack message, thread) takes
 * its text from. Text comes from the error's code; `error.message` is used only for ecs-medic's own errors, whose
 * messages are written for people. An error ecs-medic has no words for gets a generic sentence and a correlation
 * id that is also in the log, never its raw message.
 */
export interface Failure {
  readonly code: ErrorCode;
  /** What the use case was about ("payment-api"). */
  readonly subject: string;
  /** A short headline: "Cannot diagnose payment-api". */
  readonly title: string;
  /** What happened. */
  readonly detail: string;
  /** What to do about it. */
  readonly hint?: string | undefined;
  /** Services that matched an ambiguous name. */
  readonly candidates?: readonly TargetCandidate[] | undefined;
  /** For `INTERNAL`: the id logged with the stack, to quote in a bug report. */
  readonly correlationId?: string | undefined;
}

export interface FailureContext {
  /** What the use case was about, for the headline ("payment-api"). */
  readonly subject: string;
  /** The IAM action to blame when a raw SDK error arrives unwrapped. @default "ecs:DescribeServices" */
  readonly operation?: string;
  readonly logger: Logger;
  /** @default randomUUID (first 8 characters) */
  readonly newId?: () => string;
}

export function describeFailure(error: unknown, ctx: FailureContext): Failure {
  return { ...words(error, ctx), subject: ctx.subject };
}

function words(error: unknown, ctx: FailureContext): Omit<Failure, "subject"> {
  const subject = ctx.subject;
  if (error instanceof DeadlineError) {
    const still = error.pending.length > 0 ? ` Still waiting on: ${error.pending.join(", ")}.` : "";
    return {
      code: error.code,
      title: `Diagnosis of ${subject} ran out of time`,
      detail: `Collection did not finish within ${Math.round(error.budgetMs / 1000)} s.${still}`,
      hint: "An AWS API is not answering from the worker's network (VPC endpoint, proxy) or is throttling hard. Try again, or run the CLI with --save-evidence to see which step hangs.",
    };
  }
  if (error instanceof TargetAmbiguousError) {
    return { code: error.code, title: `Which ${subject}?`, detail: error.message, candidates: error.candidates };
  }
  if (isSlackPlatformError(error)) {
    return {
      code: ErrorCode.Internal,
      title: `Slack refused the report for ${subject}`,
      detail: `Slack answered ${slackErrorCode(error)}.`,
      hint: "This is a bug in ecs-medic's message: please report it with the worker's log line.",
    };
  }
  if (error instanceof EcsMedicError && error.code !== ErrorCode.AwsCallFailed) {
    return { code: error.code, title: `Cannot diagnose ${subject}`, detail: error.message };
  }
  // The SDK's own configuration errors: each gets its sentence, not "report it".
  const config = configurationProblem(error);
  if (config) return { code: ErrorCode.Usage, title: `Cannot diagnose ${subject}`, detail: config };
  // An AWS failure before any step could run: no credentials, AccessDenied on DescribeServices, no network.
  const stepError = toStepError(error, ctx.operation ?? "ecs:DescribeServices");
  if (error instanceof AwsCallError || hasAwsMetadata(error) || AWS_KINDS.has(stepError.kind)) {
    return {
      code: ErrorCode.AwsCallFailed,
      title: `Cannot collect evidence for ${subject}`,
      detail: `${stepError.code}: ${stepError.message}`,
      hint: stepError.hint,
    };
  }
  const correlationId = (ctx.newId ?? (() => randomUUID().slice(0, 8)))();
  ctx.logger.error("unexpected failure", {
    correlationId,
    subject,
    error: error instanceof Error ? { name: error.name, stack: error.stack } : String(error),
  });
  return {
    code: ErrorCode.Internal,
    title: `ecs-medic failed unexpectedly on ${subject}`,
    detail: `Nothing was changed. Reference ${correlationId}.`,
    hint: `This is a bug in ecs-medic: report it with the reference ${correlationId} (it is in the log with the details).`,
    correlationId,
  };
}

/**
 * The AWS SDK's configuration mistakes, recognised by their documented messages: no region anywhere, or a profile
 * that is in neither shared file. Returns the sentence to show, or undefined.
 */
function configurationProblem(error: unknown): string | undefined {
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = inner instanceof Error ? inner.message : "";
  if (/^Region is missing/i.test(message))
    return "no AWS region is set: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION, as the AWS CLI reads it), or give the profile a region";
  const profile = message.match(/profile[: ]+\[?([\w.@-]+)\]?/i);
  if (
    inner instanceof Error &&
    /CredentialsProviderError|ProviderError/.test(inner.name) &&
    profile &&
    /not be found|could not resolve|not found/i.test(message)
  )
    return `the AWS profile "${profile[1]}" is not in ~/.aws/config or ~/.aws/credentials: check --profile / AWS_PROFILE (aws configure list-profiles)`;
  return undefined;
}

/** What a raw (unwrapped) error must look like to be worded as an AWS failure rather than a bug. */
const AWS_KINDS = new Set<StepErrorKind>([
  StepErrorKind.AccessDenied,
  StepErrorKind.Throttled,
  StepErrorKind.Credentials,
  StepErrorKind.Timeout,
  StepErrorKind.Network,
  StepErrorKind.NotFound,
  StepErrorKind.ApiUnavailable,
]);

function hasAwsMetadata(error: unknown): boolean {
  return typeof error === "object" && error !== null && "$metadata" in error;
}

/** An error from @slack/web-api carrying Slack's own error code (`invalid_blocks`, `not_in_channel`, …). */
export function isSlackPlatformError(error: unknown): boolean {
  return typeof (error as { data?: { error?: unknown } } | undefined)?.data?.error === "string";
}

/** Slack's error code, or the error's name for a transport failure (never its raw message). */
export function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: string } } | undefined)?.data;
  if (data?.error) return data.error;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.name : "unknown error";
}
