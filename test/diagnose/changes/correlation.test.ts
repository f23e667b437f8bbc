import type { Event } from "@aws-sdk/client-cloudtrail";
import { describe, expect, it } from "vitest";
import { toChangeEvent } from "../../../src/collect/changes/record";
import { recentChangeCheck } from "../../../src/diagnose/checks/recent-change";
import type { Finding } from "../../../src/diagnose/types";
import type { PathResource } from "../../../src/evidence/schema";
import { LOAD_BALANCER_ARN } from "../../fixtures/aws";
import {
  ALB_SG,
  ECR_ENDPOINT,
  MAIN_RTB,
  NAT,
  PATH_CHANGES,
  RED_HERRINGS,
  ROUTINE,
  TARGET_GROUP_PORT_EARLIER,
} from "../../fixtures/cloudtrail-changes";
import { ago, changesData, context, evidence, expectTextsExist, finding, networkData } from "../checks/fixture";

const ONSET = ago(5);

/** What the collector adds to the path besides what the snapshot's other steps show. */
const COLLECTED_PATH: PathResource[] = [
  { kind: "load-balancer", id: LOAD_BALANCER_ARN },
  { kind: "security-group", id: ALB_SG },
  { kind: "route-table", id: MAIN_RTB },
  { kind: "nat-gateway", id: NAT },
  { kind: "vpc-endpoint", id: ECR_ENDPOINT },
];

function run(events: Event[], lead?: Finding["symptom"]) {
  const changes = { ...changesData(events.map((e) => toChangeEvent(e, "ReadOnly=false")!)), path: COLLECTED_PATH };
  const ev = evidence({ steps: { changes, "network-ports": networkData() } });
  const messageFindings = lead ? [finding({ symptom: lead, firstSeen: ONSET })] : [];
  const hits = recentChangeCheck.run(context(ev, { onset: ONSET, messageFindings }));
  expectTextsExist(hits);
  return hits;
}

const cases: Array<{ kind: string; events: Event[]; what: string; revert: RegExp; before?: RegExp }> = [
  {
    kind: "service (a deployment)",
    events: [PATH_CHANGES.service],
    what: "service payment-api: task definition payment-api:42 → payment-api:43",
    revert: /^roll back to payment-api:42$/,
  },
  {
    kind: "task-definition family",
    events: [PATH_CHANGES.taskDefinition],
    what: "task definition family payment-api: new revision (1 container)",
    revert: /roll back/,
  },
  {
    kind: "target group, old value unknown",
    events: [PATH_CHANGES.targetGroup],
    what: "target group payment-api-tg: health-check port → 8081",
    revert: /^restore target group payment-api-tg's health-check settings from before 09:51Z$/,
  },
  {
    kind: "target group, old value from an earlier change",
    events: [PATH_CHANGES.targetGroup, TARGET_GROUP_PORT_EARLIER],
    what: "target group payment-api-tg: health-check port traffic-port → 8081",
    revert: /^set the health-check port traffic-port again on target group payment-api-tg$/,
    before: /^health-check port traffic-port$/,
  },
  {
    kind: "listener of its load balancer",
    events: [PATH_CHANGES.listener],
    what: "listener of prod-alb: default action → forward to orders-api-tg",
    revert: /listener of prod-alb/,
  },
  {
    kind: "listener rule of its load balancer",
    events: [PATH_CHANGES.rule],
    what: "listener rule of prod-alb: actions → fixed-response 503",
    revert: /listener rule of prod-alb/,
  },
  {
    kind: "load balancer",
    events: [PATH_CHANGES.loadBalancer],
    what: "load balancer prod-alb security groups → sg-0new00000000000001",
    revert: /prod-alb's security groups/,
  },
  {
    kind: "task security group",
    events: [PATH_CHANGES.taskSecurityGroup],
    what: "ingress tcp/8080 from sg-0alb0000000000001 revoked on sg-0task000000000001",
    revert: /^authorize ingress tcp\/8080 from sg-0alb0000000000001 on sg-0task000000000001 again$/,
    before: /^ingress tcp\/8080 from sg-0alb0000000000001 allowed$/,
  },
  {
    kind: "load balancer security group",
    events: [PATH_CHANGES.albSecurityGroup],
    what: "egress all traffic to 0.0.0.0/0 revoked on sg-0alb0000000000001",
    revert: /^authorize egress all traffic to 0\.0\.0\.0\/0 on sg-0alb0000000000001 again$/,
  },
  {
    kind: "subnet",
    events: [PATH_CHANGES.subnet],
    what: "subnet subnet-0a1b2c3d4e5f60001 now routes through rtb-0isolated00000001",
    revert: /route table it used before/,
  },
  {
    kind: "route table",
    events: [PATH_CHANGES.routeTable],
    what: `route 0.0.0.0/0 deleted from ${MAIN_RTB}`,
    revert: /^create the route 0\.0\.0\.0\/0 in rtb-0main000000000001 again$/,
  },
  {
    kind: "NAT gateway (request nested under its name)",
    events: [PATH_CHANGES.natGateway],
    what: `NAT gateway ${NAT} deleted`,
    revert: /create a NAT gateway/,
  },
  {
    kind: "VPC endpoint (list as tag/content)",
    events: [PATH_CHANGES.vpcEndpoint],
    what: `VPC endpoint ${ECR_ENDPOINT} deleted`,
    revert: /create the deleted VPC endpoint again/,
  },
  {
    kind: "execution role's inline policy, both versions visible",
    events: [PATH_CHANGES.rolePolicy, PATH_CHANGES.rolePolicyBefore],
    what: "inline policy read-secrets of role payment-api-execution: statement Sid AllowRead removed",
    revert:
      /^put inline policy read-secrets on role payment-api-execution back as the version set at 09:10Z \(2 statements: Sid AllowRead/,
  },
  {
    kind: "execution role's inline policy, first version only",
    events: [PATH_CHANGES.rolePolicy],
    what: "inline policy read-secrets of role payment-api-execution: now 1 statement: Sid AllowDecrypt (Allow kms:Decrypt)",
    revert: /from before 09:53Z/,
  },
  {
    kind: "secret (by name, the task definition names its ARN)",
    events: [PATH_CHANGES.secret],
    what: "new value for secret prod/payment-api/db (AWSCURRENT)",
    revert: /^move AWSCURRENT of prod\/payment-api\/db back to the AWSPREVIOUS version/,
  },
  {
    kind: "the secret's KMS key",
    events: [PATH_CHANGES.kmsKey, PATH_CHANGES.secretKey],
    what: "KMS key 1234abcd-12ab-34cd-56ef-1234567890ab scheduled for deletion in 20 days (disabled at once)",
    revert: /^cancel the deletion and enable the key again/,
  },
  {
    kind: "ECR repository",
    events: [PATH_CHANGES.repository],
    what: "image deleted from repository payment-api: tag v1.42",
    revert: /^push tag v1\.42 to payment-api again/,
  },
];

describe("recent changes on the service's path, described old → new", () => {
  it.each(cases)("$kind", ({ events, what, revert, before }) => {
    const hits = run(events);
    expect(hits[0]!.severity).toBe("warn");
    expect(hits[0]!.vars["what"]).toBe(what);
    expect(hits[0]!.vars["revert"]).toMatch(revert);
    if (before) expect(hits[0]!.vars["before"]).toMatch(before);
  });

  it("a change to another service's target group or security group in the same minutes is not a suspect", () => {
    const hits = run([PATH_CHANGES.targetGroup, RED_HERRINGS.otherTargetGroup, RED_HERRINGS.otherSecurityGroup]);
    expect(hits.map((h) => h.vars["what"])).toEqual(["target group payment-api-tg: health-check port → 8081"]);
  });

  it("only red herrings: nothing to report", () => {
    expect(run([RED_HERRINGS.otherTargetGroup, RED_HERRINGS.otherSecurityGroup])).toEqual([]);
  });

  it("Application Auto Scaling and ECS's service-linked role are routine: info, after the suspects", () => {
    const hits = run([ROUTINE.autoScaling, ROUTINE.ecsServiceRole, PATH_CHANGES.taskSecurityGroup]);
    expect(hits.map((h) => [h.vars["eventName"], h.severity, h.vars["suspicion"]])).toEqual([
      ["RevokeSecurityGroupIngress", "warn", "on the service's path"],
      ["UpdateService", "info", "routine"],
      ["AuthorizeSecurityGroupIngress", "info", "routine"],
    ]);
    expect(hits[1]!.vars["actor"]).toBe("AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling (routine)");
  });

  it("routine changes alone never make a suspect", () => {
    expect(run([ROUTINE.autoScaling, ROUTINE.ecsServiceRole]).map((h) => h.severity)).toEqual(["info", "info"]);
  });

  it.each([
    { lead: "elb_health_check_failed" as const, first: "ModifyTargetGroup" },
    { lead: "secret_access_denied" as const, first: "PutRolePolicy" },
    { lead: "image_not_found" as const, first: "BatchDeleteImage" },
  ])("ranks the change on the failing path of $lead first, whatever is nearer the onset", ({ lead, first }) => {
    const events = [
      PATH_CHANGES.targetGroup,
      PATH_CHANGES.rolePolicy,
      PATH_CHANGES.natGateway,
      PATH_CHANGES.repository,
    ];
    const hits = run(events, lead);
    expect(hits[0]!.vars["eventName"]).toBe(first);
    expect(hits[0]!.vars["suspicion"]).toBe("on the failing path");
    expect(hits.map((h) => h.vars["eventName"]).sort()).toEqual(events.map((e) => e.EventName).sort());
  });

  it("without a failing path (no lead symptom), the nearest change before the onset comes first", () => {
    const hits = run([PATH_CHANGES.natGateway, PATH_CHANGES.rolePolicy, PATH_CHANGES.targetGroup]);
    expect(hits.map((h) => h.vars["eventName"])).toEqual(["PutRolePolicy", "ModifyTargetGroup", "DeleteNatGateway"]);
  });

  it("a snapshot whose step 10 is still reading has no change to judge yet", () => {
    const pending = { lookupSince: ago(420), lookups: [], events: [], pending: { startedAt: ago(0) } };
    const hits = recentChangeCheck.run(context(evidence({ steps: { changes: pending } }), { onset: ONSET }));
    expect(hits).toEqual([]);
  });
});
