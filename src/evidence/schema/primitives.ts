import { z } from "zod";

/** Building blocks of the evidence snapshot: timestamps, optional fields, and the error every read can carry. */

/**
 * An ISO-8601 date-time with an offset, normalised on load to UTC `…Z` without milliseconds — the form the
 * collectors write — so the diagnosis can compare timestamps of a hand-edited or foreign snapshot safely.
 */
export const Timestamp = z
  .string()
  .refine(
    (s) =>
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/.test(s) &&
      !Number.isNaN(Date.parse(s)),
    {
      message: "expected an ISO-8601 date-time with a UTC offset, e.g. 2026-11-26T10:00:00Z",
    },
  )
  .transform((s) => new Date(s).toISOString().replace(/\.\d{3}Z$/, "Z"));
export const opt = <T extends z.ZodType>(schema: T) => schema.optional();

// ── errors ────────────────────────────────────────────────────────────────────────────────────────

export const StepErrorKind = {
  AccessDenied: "access_denied",
  Throttled: "throttled",
  NotFound: "not_found",
  ApiUnavailable: "api_unavailable",
  Timeout: "timeout",
  Network: "network",
  Credentials: "credentials",
  MalformedResponse: "malformed_response",
  InvalidRequest: "invalid_request",
  Internal: "internal",
  /**
   * A read deliberately not made: the resource (log group, ECR repository) is in another region than the one the
   * diagnosis reads. Kept on the item it concerns, never counted as a step error.
   */
  OtherRegion: "other_region",
} as const;
export type StepErrorKind = (typeof StepErrorKind)[keyof typeof StepErrorKind];

/** Why a step, or one read inside it, could not be collected, and what to do about it. */
export const StepErrorSchema = z.object({
  kind: z.enum(Object.values(StepErrorKind) as [StepErrorKind, ...StepErrorKind[]]),
  /** The AWS error code (`AccessDeniedException`, `UnauthorizedOperation`, …) or the JS error name. */
  code: z.string(),
  /** IAM-style operation that failed, e.g. `ec2:DescribeSubnets`. */
  operation: opt(z.string()),
  /** AWS's own message, redacted. */
  message: z.string(),
  /** The next thing to do, e.g. "grant ec2:DescribeSubnets to see subnet IPs". */
  hint: z.string(),
});
export type StepError = z.infer<typeof StepErrorSchema>;
