import {
  CloudTrailClient,
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
  type LookupEventsCommandOutput,
} from "@aws-sdk/client-cloudtrail";
import { DescribeRouteTablesCommand, DescribeVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeTaskDefinitionCommand, ECSClient } from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { changesStep, MAX_LOOKUP_CALLS, SWEEP_PAGES, TARGETED_PAGES } from "../../../src/collect/steps/10-changes";
import { ChangesDataSchema, type ChangesData } from "../../../src/evidence/schema";
import {
  LOAD_BALANCER_ARN,
  SERVICE,
  TARGET_GROUP_ARN,
  sdkService,
  sdkTargetGroup,
  sdkTaskDefinition,
} from "../../fixtures/aws";
import {
  ALB_SG,
  ECR_ENDPOINT,
  KMS_KEY_ID,
  MAIN_RTB,
  NAT,
  PATH_CHANGES,
  RED_HERRINGS,
  ROUTINE,
} from "../../fixtures/cloudtrail-changes";
import { MAIN_ROUTE_TABLE } from "../../helpers/estate";
import { instantLimiter, makeContext } from "../../helpers/context";

const cloudtrail = mockClient(CloudTrailClient);
const ecs = mockClient(ECSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);

const FAMILY = "payment-api-task";
const tgArn = (n: number) =>
  TARGET_GROUP_ARN.replace("payment-api-tg/0123456789abcdef", `payment-api-tg-${n}/0123456789abcde${n}`);

/** Serves LookupEvents by attribute value; a list of pages per value, or endless full pages (`"endless"`). */
function serve(pages: Record<string, Event[][] | "endless">) {
  const requests: { key: string; value: string }[] = [];
  cloudtrail.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput): LookupEventsCommandOutput => {
    const attribute = input.LookupAttributes?.[0];
    const value = attribute?.AttributeValue ?? "";
    requests.push({ key: attribute?.AttributeKey ?? "", value });
    const list = pages[value] ?? [[]];
    const index = input.NextToken ? Number(input.NextToken.split("#")[1]) : 0;
    if (list === "endless") return { $metadata: {}, Events: [], NextToken: `page#${index + 1}` };
    return {
      $metadata: {},
      Events: list[index] ?? [],
      ...(index < list.length - 1 ? { NextToken: `page#${index + 1}` } : {}),
    };
  });
  return requests;
}

async function collect(service = sdkService()) {
  const limiter = instantLimiter();
  const ctx = makeContext({ service, cloudTrailLimiter: limiter });
  const result = await changesStep.collect(ctx);
  if (result.status === "skipped") throw new Error("unexpected skip");
  return { data: ChangesDataSchema.parse(result.data) as ChangesData, status: result.status, limiter };
}

describe("step 10: one write-events sweep matched against the service's path", () => {
  beforeEach(() => {
    for (const m of [cloudtrail, ecs, elbv2, ec2]) m.reset();
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: sdkTaskDefinition(42) });
    elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns: string[] }) => ({
      TargetGroups: input.TargetGroupArns.map((arn) => sdkTargetGroup({ TargetGroupArn: arn })),
    }));
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [{ LoadBalancerArn: LOAD_BALANCER_ARN, LoadBalancerName: "prod-alb", SecurityGroups: [ALB_SG] }],
    });
    // No explicit association: the subnets use the VPC's main table (found through the target group's VPC).
    ec2.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: { Name?: string }[] }) => ({
      RouteTables: (input.Filters ?? []).some((f) => f.Name === "association.main") ? [MAIN_ROUTE_TABLE] : [],
    }));
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [{ VpcEndpointId: ECR_ENDPOINT }] });
  });

  it("keeps a change to every kind of resource on the path, drops other services' changes, keeps routine ones for the diagnosis", async () => {
    const onPath = Object.values(PATH_CHANGES);
    serve({
      false: [
        [...onPath.slice(0, 9), RED_HERRINGS.otherTargetGroup, ROUTINE.autoScaling],
        [...onPath.slice(9), RED_HERRINGS.otherSecurityGroup, ROUTINE.ecsServiceRole],
      ],
    });

    const { data, status } = await collect();

    expect(status).toBe("collected");
    const kept = new Set(data.events.map((e) => e.eventId));
    for (const [kind, event] of Object.entries(PATH_CHANGES))
      expect([kind, kept.has(event.EventId!)]).toEqual([kind, true]);
    for (const event of Object.values(RED_HERRINGS)) expect(kept.has(event.EventId!)).toBe(false);
    for (const event of Object.values(ROUTINE)) expect(kept.has(event.EventId!)).toBe(true);
    expect(data.events.find((e) => e.eventName === "UpdateService" && e.invokedBy)?.invokedBy).toBe(
      "application-autoscaling.amazonaws.com",
    );
    // The path the sweep was matched against, kept for the diagnosis.
    const path = (kind: string) => data.path!.filter((r) => r.kind === kind).map((r) => r.id);
    expect(path("route-table")).toEqual([MAIN_RTB]);
    expect(path("nat-gateway")).toEqual([NAT]);
    expect(path("vpc-endpoint")).toEqual([ECR_ENDPOINT]);
    expect(path("security-group")).toEqual(["sg-0task000000000001", ALB_SG]);
    expect(path("load-balancer")).toEqual([LOAD_BALANCER_ARN]);
    expect(path("kms-key")).toEqual([expect.stringContaining(KMS_KEY_ID)]);
    expect(path("role").map((r) => r.split("/").pop())).toEqual(["payment-api-execution", "payment-api-task"]);
    expect(path("ecr-repository")).toEqual(["payment-api"]);
    expect(data.lookups.find((l) => l.attributeKey === "ReadOnly")).toEqual({
      attributeKey: "ReadOnly",
      attributeValue: "false",
      events: onPath.length + Object.keys(ROUTINE).length,
      truncated: false,
    });
  });

  it("names the read that failed when the route tables cannot be read, and still matches the rest", async () => {
    ec2.on(DescribeRouteTablesCommand).rejects(
      Object.assign(new Error("You are not authorized to perform this operation."), {
        name: "UnauthorizedOperation",
      }),
    );
    serve({ false: [[PATH_CHANGES.targetGroup, PATH_CHANGES.natGateway]] });

    const { data, status } = await collect();

    expect(status).toBe("partial");
    expect(data.events.map((e) => e.eventName)).toEqual(["ModifyTargetGroup"]);
  });
});

describe("step 10's CloudTrail budget", () => {
  beforeEach(() => {
    for (const m of [cloudtrail, ecs, elbv2, ec2]) m.reset();
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: sdkTaskDefinition(42, { family: FAMILY }) });
    elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns: string[] }) => ({
      TargetGroups: input.TargetGroupArns.map((arn) => sdkTargetGroup({ TargetGroupArn: arn })),
    }));
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
  });

  it.each([1, 3])(
    "a service with %i target group(s) costs the same LookupEvents calls: the sweep and two targeted lookups, at most 10",
    async (groups) => {
      const service = sdkService({
        loadBalancers: Array.from({ length: groups }, (_, i) => ({
          targetGroupArn: tgArn(i + 1),
          containerName: "app",
          containerPort: 8080,
        })),
      });
      // Every lookup pages on and on (a busy account): the bounds decide.
      const requests = serve({ false: "endless", [SERVICE]: "endless", [FAMILY]: "endless" });

      const { data, limiter } = await collect(service);

      expect(requests).toHaveLength(MAX_LOOKUP_CALLS);
      expect(MAX_LOOKUP_CALLS).toBe(10);
      expect(limiter.acquired).toBe(MAX_LOOKUP_CALLS);
      expect(requests.filter((r) => r.key === "ReadOnly")).toHaveLength(SWEEP_PAGES);
      expect(requests.filter((r) => r.value === SERVICE)).toHaveLength(TARGETED_PAGES);
      expect(requests.filter((r) => r.value === FAMILY)).toHaveLength(TARGETED_PAGES);
      // No lookup per target group, security group, role or secret.
      expect(requests.some((r) => r.value.startsWith("arn:aws:elasticloadbalancing"))).toBe(false);
      expect(data.lookups.map((l) => [l.attributeKey, l.attributeValue, l.truncated])).toEqual([
        ["ResourceName", SERVICE, true],
        ["ResourceName", FAMILY, true],
        ["ReadOnly", "false", true],
      ]);
    },
  );

  it("a quiet account costs three calls: one page each", async () => {
    const requests = serve({});
    await collect();
    expect(requests).toHaveLength(3);
  });
});
