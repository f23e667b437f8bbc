import { describe, expect, it } from "vitest";
import { recentChangeCheck } from "../../../src/diagnose/checks/recent-change";
import { TARGET_GROUP_ARN } from "../../fixtures/aws";
import { ACCOUNT, ago, changeEvent, changesData, context, evidence, ids, TASK_SG } from "./fixture";

type Event = ReturnType<typeof changeEvent>;
const ONSET = ago(5);
let n = 0;
const event = (minutesAgo: number, overrides: Partial<Event> = {}) =>
  changeEvent({
    eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    eventTime: ago(minutesAgo),
    ...overrides,
  });

const cases: Array<{
  case: string;
  events: Event[];
  onset?: string;
  expected: string[];
  severity?: string;
  vars?: Record<string, string>;
}> = [
  {
    case: "a deployment of the service 3 min before the first failure: a prime suspect, still only warn",
    events: [event(8)],
    onset: ONSET,
    expected: ["recent-change"],
    severity: "warn",
    vars: {
      eventName: "UpdateService",
      actor: "deployer/github-actions",
      minutesBefore: "3 min before the first failure",
      what: "service payment-api: task definition payment-api:42 → payment-api:43",
      revert: "roll back to payment-api:42",
    },
  },
  {
    case: "an ingress rule revoked on the task security group",
    events: [
      event(10, {
        eventName: "RevokeSecurityGroupIngress",
        eventSource: "ec2.amazonaws.com",
        requestParameters: {
          groupId: TASK_SG,
          ipPermissions: { items: [{ ipProtocol: "tcp", fromPort: 8080, toPort: 8080 }] },
        },
      }),
    ],
    onset: ONSET,
    expected: ["recent-change"],
    severity: "warn",
    vars: { what: `ingress tcp/8080 revoked on ${TASK_SG}` },
  },
  {
    case: "the execution role lost a policy",
    events: [
      event(12, {
        eventName: "DetachRolePolicy",
        eventSource: "iam.amazonaws.com",
        requestParameters: {
          roleName: "payment-api-execution",
          policyArn: `arn:aws:iam::${ACCOUNT}:policy/payment-api-secrets`,
        },
      }),
    ],
    onset: ONSET,
    expected: ["recent-change"],
    severity: "warn",
    vars: {
      what: "managed policy payment-api-secrets detached from role payment-api-execution",
      revert: "attach payment-api-secrets to role payment-api-execution again",
    },
  },
  {
    case: "the service's secret was changed (secretId by name)",
    events: [
      event(7, {
        eventName: "PutSecretValue",
        eventSource: "secretsmanager.amazonaws.com",
        requestParameters: { secretId: "prod/payment-api/db" },
      }),
    ],
    onset: ONSET,
    expected: ["recent-change"],
    severity: "warn",
  },
  {
    case: "a deployment 40 min before: a suspect",
    events: [event(45)],
    onset: ONSET,
    expected: ["recent-change"],
    severity: "warn",
    vars: { minutesBefore: "40 min before the first failure" },
  },
  {
    case: "another team's security group changed just before: not this service's path, not a suspect",
    events: [
      event(6, {
        eventName: "AuthorizeSecurityGroupIngress",
        eventSource: "ec2.amazonaws.com",
        requestParameters: { groupId: "sg-0other00000000001" },
      }),
    ],
    onset: ONSET,
    expected: [],
  },
  {
    case: "Application Auto Scaling changing the desired count",
    events: [
      event(8, {
        actor: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling`,
        userAgent: "application-autoscaling.amazonaws.com",
        requestParameters: { cluster: "prod", service: "payment-api", desiredCount: 6 },
      }),
    ],
    onset: ONSET,
    expected: ["recent-change"],
    severity: "info",
  },
  {
    case: "nothing failed: changes in the window are context",
    events: [event(20)],
    expected: ["recent-change"],
    severity: "info",
    vars: { minutesBefore: "during the window" },
  },
  { case: "after the onset: not a cause", events: [event(2)], onset: ONSET, expected: [] },
  { case: "longer before the onset than recentChangeMinutes", events: [event(70)], onset: ONSET, expected: [] },
  {
    case: "a failed call changed nothing",
    events: [
      event(8, { errorCode: "AccessDenied", errorMessage: "User is not authorized to perform: ecs:UpdateService" }),
    ],
    onset: ONSET,
    expected: [],
  },
  { case: "not a write call", events: [event(8, { eventName: "TagResource" })], onset: ONSET, expected: [] },
  { case: "not applicable: no changes in CloudTrail", events: [], onset: ONSET, expected: [] },
];

describe("recent-change check", () => {
  it.each(cases)("$case", ({ events, onset, expected, severity, vars }) => {
    const ev = evidence({ steps: { changes: changesData(events) } });
    const hits = recentChangeCheck.run(context(ev, onset ? { onset } : {}));
    expect(ids(hits)).toEqual(expected);
    if (severity) expect(hits[0]!.severity).toBe(severity);
    if (vars) expect(hits[0]!.vars).toMatchObject(vars);
  });

  it("reports at most 5 changes, nearest to the onset first", () => {
    const events = [50, 9, 30, 6, 20, 15, 40].map((m) =>
      event(m, {
        eventName: "ModifyTargetGroup",
        requestParameters: { targetGroupArn: TARGET_GROUP_ARN, healthCheckPath: `/health-${m}` },
      }),
    );
    const hits = recentChangeCheck.run(
      context(evidence({ steps: { changes: changesData(events) } }), { onset: ONSET }),
    );
    expect(hits.map((h) => h.vars["minutesBefore"])).toEqual([
      "1 min before the first failure",
      "4 min before the first failure",
      "10 min before the first failure",
      "15 min before the first failure",
      "25 min before the first failure",
    ]);
  });

  it("never critical: a change is a suspect, not a failure (a critical would fail step 10 on its own)", () => {
    const events = [
      event(6),
      event(7, {
        eventName: "RevokeSecurityGroupIngress",
        eventSource: "ec2.amazonaws.com",
        requestParameters: { groupId: TASK_SG },
      }),
      event(8, {
        eventName: "PutSecretValue",
        eventSource: "secretsmanager.amazonaws.com",
        requestParameters: { secretId: "prod/payment-api/db" },
      }),
      event(9, {
        eventName: "DetachRolePolicy",
        eventSource: "iam.amazonaws.com",
        requestParameters: { roleName: "payment-api-execution", policyArn: `arn:aws:iam::${ACCOUNT}:policy/x` },
      }),
    ];
    const hits = recentChangeCheck.run(
      context(evidence({ steps: { changes: changesData(events) } }), { onset: ONSET }),
    );
    expect(hits.map((h) => h.severity)).toEqual(["warn", "warn", "warn", "warn"]);
  });

  it("leaves changes to other services' target groups out, whatever their closeness to the onset", () => {
    const otherTg = {
      eventName: "ModifyTargetGroup",
      requestParameters: {
        targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other-tg/1",
      },
    };
    const events = [event(6, otherTg), event(15), event(30, otherTg)];
    const hits = recentChangeCheck.run(
      context(evidence({ steps: { changes: changesData(events) } }), { onset: ONSET }),
    );
    expect(hits.map((h) => `${h.vars["eventName"]} ${h.vars["minutesBefore"]}`)).toEqual([
      "UpdateService 10 min before the first failure",
    ]);
  });

  it("not applicable: no changes step in the snapshot", () => {
    expect(recentChangeCheck.run(context(evidence(), { onset: ONSET }))).toEqual([]);
  });
});
