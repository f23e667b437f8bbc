import { describe, expect, it } from "vitest";
import { describeFailure } from "../../src/app/failure";
import { silentLogger } from "../../src/app/logger";
import {
  AwsCallError,
  DeadlineError,
  ErrorCode,
  EvidenceInvalidError,
  TargetAmbiguousError,
  UsageError,
} from "../../src/errors";
import { accessDenied, throttled } from "../fixtures/errors";

const ctx = { subject: "payment-api", logger: silentLogger, newId: () => "abcd1234" };

describe("describeFailure: one table from an error's code to the words a person reads", () => {
  it.each([
    {
      case: "a time budget run out",
      error: new DeadlineError(270_000, ["Task logs", "Recent changes"]),
      code: ErrorCode.DeadlineExceeded,
      title: "Diagnosis of payment-api ran out of time",
      says: "Still waiting on: Task logs, Recent changes.",
    },
    {
      case: "an ambiguous name",
      error: new TargetAmbiguousError(
        "payment-api",
        [{ cluster: "prod", service: "payment-api", serviceArn: "arn:x" }],
        "payment-api is in 2 clusters",
      ),
      code: ErrorCode.TargetAmbiguous,
      title: "Which payment-api?",
      says: "payment-api is in 2 clusters",
    },
    {
      case: "a usage error (its message is written for people)",
      error: new UsageError("--since must be a duration such as 2h"),
      code: ErrorCode.Usage,
      title: "Cannot diagnose payment-api",
      says: "--since must be a duration such as 2h",
    },
    {
      case: "a broken snapshot",
      error: new EvidenceInvalidError("x.json is not JSON"),
      code: ErrorCode.EvidenceInvalid,
      title: "Cannot diagnose payment-api",
      says: "x.json is not JSON",
    },
    {
      case: "AccessDenied wrapped with its IAM action",
      error: new AwsCallError("ecs:DescribeServices", { cause: accessDenied("ecs:DescribeServices") }),
      code: ErrorCode.AwsCallFailed,
      title: "Cannot collect evidence for payment-api",
      says: "grant it",
    },
    {
      case: "a raw SDK throttling error",
      error: throttled("ecs"),
      code: ErrorCode.AwsCallFailed,
      title: "Cannot collect evidence for payment-api",
      says: "throttled",
    },
    {
      case: "Slack refusing a message",
      error: Object.assign(new Error("An API error occurred: invalid_blocks"), {
        data: { ok: false, error: "invalid_blocks" },
      }),
      code: ErrorCode.Internal,
      title: "Slack refused the report for payment-api",
      says: "invalid_blocks",
    },
  ])("$case", ({ error, code, title, says }) => {
    const f = describeFailure(error, ctx);
    expect(f).toMatchObject({ code, title, subject: "payment-api" });
    expect(`${f.detail} ${f.hint ?? ""}`).toContain(says);
  });

  it.each([
    {
      case: "a TypeError from a bug",
      error: new TypeError("Cannot read properties of undefined (reading 'token=abc')"),
    },
    { case: "a thrown string", error: "boom token=abc" },
    { case: "a plain Error", error: new Error("internal state token=abc") },
  ])("$case gets a generic sentence and a reference, never its own text", ({ error }) => {
    const logged: Record<string, unknown>[] = [];
    const f = describeFailure(error, {
      ...ctx,
      logger: { ...silentLogger, error: (_m, d) => void logged.push(d ?? {}) },
    });
    expect(f.code).toBe(ErrorCode.Internal);
    expect(f.correlationId).toBe("abcd1234");
    expect(JSON.stringify(f)).not.toContain("token=abc");
    expect(f.detail).toContain("abcd1234");
    expect(logged).toEqual([expect.objectContaining({ correlationId: "abcd1234", subject: "payment-api" })]);
  });
});
