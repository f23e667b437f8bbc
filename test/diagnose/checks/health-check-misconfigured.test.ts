import { describe, expect, it } from "vitest";
import {
  healthCheckMisconfiguredCheck,
  matcherAccepts,
  responseCodes,
} from "../../../src/diagnose/checks/health-check-misconfigured";
import {
  ago,
  context,
  evidence,
  ids,
  stoppedTasksData,
  TARGET_GROUP_ARN,
  targetGroup,
  task,
  type EvidenceOptions,
} from "./fixture";

type Target = ReturnType<typeof targetGroup>["targets"][number];
const unhealthy = (ip: string, codes: string): Target => ({
  id: ip,
  port: 8080,
  availabilityZone: "us-east-1a",
  state: "unhealthy",
  reason: "Target.ResponseCodeMismatch",
  description: `Health checks failed with these codes: [${codes}]`,
});
const withGroup = (overrides: Parameters<typeof targetGroup>[0], extra: EvidenceOptions = {}): EvidenceOptions => ({
  ...extra,
  steps: { "target-health": { targetGroups: [targetGroup(overrides)] }, ...extra.steps },
});
const hc = (overrides: Partial<NonNullable<ReturnType<typeof targetGroup>["healthCheck"]>>) => ({
  ...targetGroup().healthCheck!,
  ...overrides,
});
const elbKilled = (startedAt: string, stoppingAt: string) =>
  task({
    stopCode: "ServiceSchedulerInitiated",
    stoppedReason: `Task failed ELB health checks in (target-group ${TARGET_GROUP_ARN})`,
    startedAt,
    stoppingAt,
    stoppedAt: ago(1),
    containers: [{ name: "app", lastStatus: "STOPPED", exitCode: 143 }],
  });

const cases: Array<{ case: string; options: EvidenceOptions; expected: string[]; vars?: Record<string, string> }> = [
  {
    case: "every unhealthy target answers 404: wrong path",
    options: withGroup({ targets: [unhealthy("10.0.1.23", "404"), unhealthy("10.0.2.17", "404")] }),
    expected: ["health-check-misconfigured.path-not-found"],
    vars: { healthCheckPath: "/health", healthCheckPort: "the traffic port (8080)", targetGroup: "payment-api-tg" },
  },
  {
    case: "the app answers 200 but the matcher wants 302",
    options: withGroup({
      healthCheck: hc({ matcher: { httpCode: "301-302" } }),
      targets: [unhealthy("10.0.1.23", "200")],
    }),
    expected: ["health-check-misconfigured.matcher-excludes-200"],
    vars: { matcher: "301-302" },
  },
  {
    case: "timeout equal to the interval",
    options: withGroup({ healthCheck: hc({ timeoutSeconds: 30, intervalSeconds: 30 }) }),
    expected: ["health-check-misconfigured.timeout-not-below-interval"],
  },
  {
    case: "no grace period and a task killed 40 s after it started (limit 2 × 30 s × 5 = 300 s)",
    options: withGroup(
      {},
      {
        service: { healthCheckGracePeriodSeconds: 0 },
        steps: { "stopped-tasks": stoppedTasksData({ stopped: [elbKilled(ago(10), "2026-11-26T09:50:40Z")] }) },
      },
    ),
    expected: ["health-check-misconfigured.no-grace-period"],
    vars: { killedTasks: "1", fastestSeconds: "40", limitSeconds: "300" },
  },
  {
    case: "mixed codes (404 and 500): not only the path",
    options: withGroup({ targets: [unhealthy("10.0.1.23", "404"), unhealthy("10.0.2.17", "500")] }),
    expected: [],
  },
  {
    case: "5xx from the app is the app's problem",
    options: withGroup({ targets: [unhealthy("10.0.1.23", "503")] }),
    expected: [],
  },
  {
    case: "a grace period is set: early ELB kills are not blamed on it",
    options: withGroup(
      {},
      {
        service: { healthCheckGracePeriodSeconds: 120 },
        steps: { "stopped-tasks": stoppedTasksData({ stopped: [elbKilled(ago(10), "2026-11-26T09:50:40Z")] }) },
      },
    ),
    expected: [],
  },
  {
    case: "no grace period, but the task ran 20 min before failing",
    options: withGroup(
      {},
      {
        service: { healthCheckGracePeriodSeconds: 0 },
        steps: { "stopped-tasks": stoppedTasksData({ stopped: [elbKilled(ago(30), ago(10))] }) },
      },
    ),
    expected: [],
  },
  {
    case: "not applicable: the target group could not be described",
    options: {
      steps: {
        "target-health": {
          targetGroups: [
            {
              targetGroupArn: TARGET_GROUP_ARN,
              targets: [unhealthy("10.0.1.23", "404")],
              describeError: {
                kind: "not_found",
                code: "TargetGroupNotFoundException",
                operation: "elasticloadbalancing:DescribeTargetGroups",
                message: "One or more target groups not found",
                hint: "the target group was deleted",
              },
            },
          ],
        },
      },
    },
    expected: [],
  },
  { case: "not applicable: no target-health step", options: {}, expected: [] },
];

describe("health-check-misconfigured check", () => {
  it.each(cases)("$case", ({ options, expected, vars }) => {
    const hits = healthCheckMisconfiguredCheck.run(context(evidence(options)));
    expect(ids(hits)).toEqual(expected);
    if (vars) expect(hits[0]!.vars).toMatchObject(vars);
  });

  it.each([
    { description: "Health checks failed with these codes: [404]", codes: [404] },
    { description: "Health checks failed with these codes: [502, 503]", codes: [502, 503] },
    { description: "Request timed out", codes: [] },
  ])("reads the codes of '$description'", ({ description, codes }) => {
    expect(responseCodes(description)).toEqual(codes);
  });

  it.each([
    { matcher: "200", code: 200, accepts: true },
    { matcher: "200-299", code: 204, accepts: true },
    { matcher: "200,202", code: 202, accepts: true },
    { matcher: "301-302", code: 200, accepts: false },
  ])("matcher $matcher accepts $code: $accepts", ({ matcher, code, accepts }) => {
    expect(matcherAccepts(matcher, code)).toBe(accepts);
  });
});
