import { describe, expect, it } from "vitest";
import { awsErrorName, dedupeErrors, otherRegionError, toStepError } from "../../src/aws/step-error";
import { AwsCallError } from "../../src/errors";
import { accessDenied, htmlServerError, notFound, throttled } from "../fixtures/errors";

const call = (operation: string, cause: unknown) => new AwsCallError(operation, { cause });

describe("toStepError", () => {
  it.each([
    {
      case: "ECS AccessDeniedException",
      error: call("ecs:ListTasks", accessDenied("ecs:ListTasks")),
      kind: "access_denied",
      code: "AccessDeniedException",
    },
    {
      case: "EC2 UnauthorizedOperation",
      error: call("ec2:DescribeSubnets", accessDenied("ec2:DescribeSubnets")),
      kind: "access_denied",
      code: "UnauthorizedOperation",
    },
    {
      case: "ELBv2 AccessDenied",
      error: call(
        "elasticloadbalancing:DescribeTargetHealth",
        accessDenied("elasticloadbalancing:DescribeTargetHealth"),
      ),
      kind: "access_denied",
      code: "AccessDenied",
    },
    {
      case: "ECS ThrottlingException",
      error: call("ecs:DescribeTasks", throttled("ecs")),
      kind: "throttled",
      code: "ThrottlingException",
    },
    {
      case: "EC2 RequestLimitExceeded",
      error: call("ec2:DescribeSubnets", throttled("ec2")),
      kind: "throttled",
      code: "RequestLimitExceeded",
    },
    {
      case: "ELBv2 Throttling",
      error: call("elasticloadbalancing:DescribeTargetHealth", throttled("elasticloadbalancing")),
      kind: "throttled",
      code: "Throttling",
    },
    {
      case: "an HTML 500 from an endpoint without the API",
      error: call("cloudtrail:LookupEvents", htmlServerError()),
      kind: "api_unavailable",
      code: "SyntaxError",
    },
    {
      case: "a missing log stream",
      error: call(
        "logs:GetLogEvents",
        notFound("logs", "ResourceNotFoundException", "The specified log stream does not exist."),
      ),
      kind: "not_found",
      code: "ResourceNotFoundException",
    },
    {
      case: "a request timeout",
      error: call(
        "ecs:DescribeTasks",
        Object.assign(new Error("a request has exceeded the configured 10000 ms requestTimeout."), {
          name: "TimeoutError",
          code: "ETIMEDOUT",
        }),
      ),
      kind: "timeout",
      code: "TimeoutError",
    },
    {
      case: "a refused connection",
      error: call(
        "ecs:DescribeTasks",
        Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      ),
      kind: "network",
      code: "ECONNREFUSED",
    },
    {
      case: "missing credentials",
      error: call(
        "ecs:DescribeServices",
        Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
      ),
      kind: "credentials",
      code: "CredentialsProviderError",
    },
    {
      case: "a bug in a collector",
      error: new TypeError("Cannot read properties of undefined (reading 'x')"),
      kind: "malformed_response",
      code: "TypeError",
    },
  ])("classifies $case", ({ error, kind, code }) => {
    const result = toStepError(error);
    expect(result.kind).toBe(kind);
    expect(result.code).toBe(code);
  });

  it("names the IAM action to grant and what it shows, for AccessDenied", () => {
    const result = toStepError(call("ec2:DescribeSubnets", accessDenied("ec2:DescribeSubnets")));
    expect(result.operation).toBe("ec2:DescribeSubnets");
    expect(result.hint).toBe(
      "AccessDenied on ec2:DescribeSubnets — grant it to the role ecs-medic runs as to see subnet free IPs",
    );
    expect(result.message).toContain("is not authorized to perform: ec2:DescribeSubnets");
  });

  it("redacts secrets that appear in an AWS message", () => {
    const result = toStepError(call("ecs:DescribeTasks", new Error("bad token: AKIAIOSFODNN7EXAMPLE")));
    expect(result.message).not.toContain("AKIAIOSFODNN7EXAMPLE");
  });
});

describe("shared error helpers", () => {
  it.each([
    {
      case: "inside an AwsCallError",
      error: call("ecs:DescribeServices", notFound("ecs", "ClusterNotFoundException", "Cluster not found.")),
      name: "ClusterNotFoundException",
    },
    {
      case: "a bare SDK error",
      error: notFound(
        "ecr",
        "ImageNotFoundException",
        "The image requested does not exist in the specified repository.",
      ),
      name: "ImageNotFoundException",
    },
    { case: "not an Error", error: "boom", name: undefined },
  ])("awsErrorName: $case", ({ error, name }) => {
    expect(awsErrorName(error)).toBe(name);
  });

  it("otherRegionError says where the resource is and how to read it, as kind other_region", () => {
    expect(otherRegionError("logs:GetLogEvents", "log group /ecs/payment-api", "eu-west-1", "us-east-1")).toEqual({
      kind: "other_region",
      code: "OtherRegion",
      operation: "logs:GetLogEvents",
      message: "log group /ecs/payment-api is in eu-west-1; this diagnosis reads us-east-1",
      hint: "not read: log group /ecs/payment-api is in eu-west-1 — run with --region eu-west-1 to read it",
    });
  });

  it("dedupeErrors lists the same failure once", () => {
    const denied = toStepError(call("ecr:DescribeImages", accessDenied("ecr:DescribeImages")));
    const throttledCall = toStepError(call("ecr:DescribeImages", throttled("ecr")));
    expect(dedupeErrors([denied, { ...denied }, throttledCall])).toEqual([denied, throttledCall]);
  });
});
