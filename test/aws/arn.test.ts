import { describe, expect, it } from "vitest";
import {
  familyOf,
  lastSegment,
  parseTaskDefinition,
  previousRevision,
  shortTaskDefinition,
  taskIdOf,
} from "../../src/aws/arn";
import { ACCOUNT, REGION, TASK_ARN, TASK_DEF_ARN } from "../fixtures/aws";

describe("ARN helpers", () => {
  it.each([
    { case: "a full ARN", input: TASK_DEF_ARN(7, "payment-api"), family: "payment-api" },
    { case: "family:revision", input: "payment-api:7", family: "payment-api" },
    { case: "a bare family", input: "payment-api", family: "payment-api" },
    { case: "nothing", input: undefined, family: undefined },
  ])("familyOf $case", ({ input, family }) => {
    expect(familyOf(input)).toBe(family);
  });

  it.each([
    { case: "a full ARN", input: TASK_DEF_ARN(42), previous: TASK_DEF_ARN(41) },
    { case: "family:revision", input: "payment-api:42", previous: "payment-api:41" },
    { case: "revision 1 (none before it)", input: TASK_DEF_ARN(1), previous: undefined },
    { case: "a bare family (no revision to count down from)", input: "payment-api", previous: undefined },
    {
      case: "a GovCloud ARN",
      input: `arn:aws-us-gov:ecs:us-gov-west-1:${ACCOUNT}:task-definition/api:10`,
      previous: `arn:aws-us-gov:ecs:us-gov-west-1:${ACCOUNT}:task-definition/api:9`,
    },
    { case: "something else", input: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/payment-api`, previous: undefined },
  ])("previousRevision of $case", ({ input, previous }) => {
    expect(previousRevision(input)).toBe(previous);
  });

  it("parses a task definition ARN into prefix, family and revision", () => {
    expect(parseTaskDefinition(TASK_DEF_ARN(42))).toEqual({
      prefix: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/`,
      family: "payment-api",
      revision: 42,
    });
    expect(parseTaskDefinition("payment-api")).toEqual({ prefix: "", family: "payment-api" });
  });

  it.each([
    {
      case: "a task ARN in the new format",
      fn: taskIdOf,
      input: TASK_ARN("0123456789abcdef0123456789abcdef"),
      out: "0123456789abcdef0123456789abcdef",
    },
    {
      case: "a task ARN in the old format",
      fn: taskIdOf,
      input: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/0a1b2c3d-1111-2222-3333-444455556666`,
      out: "0a1b2c3d-1111-2222-3333-444455556666",
    },
    {
      case: "a role path",
      fn: lastSegment,
      input: `arn:aws:iam::${ACCOUNT}:role/service-role/payment-api-execution`,
      out: "payment-api-execution",
    },
    { case: "a value without a slash", fn: lastSegment, input: "payment-api", out: "payment-api" },
    { case: "a task definition", fn: shortTaskDefinition, input: TASK_DEF_ARN(42), out: "payment-api:42" },
  ])("last segment of $case", ({ fn, input, out }) => {
    expect(fn(input)).toBe(out);
  });
});
