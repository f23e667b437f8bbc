import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetGroup as SdkTargetGroup,
  type TargetHealthDescription,
  type TargetHealthReasonEnum,
  type TargetHealthStateEnum,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { toStepError } from "../../../src/aws/step-error";
import { targetHealthStep } from "../../../src/collect/steps/04-target-health";
import { TargetHealthDataSchema } from "../../../src/evidence/schema";
import { ACCOUNT, LOAD_BALANCER_ARN, REGION, TARGET_GROUP_ARN, sdkService, sdkTargetGroup } from "../../fixtures/aws";
import { accessDenied, notFound, throttled } from "../../fixtures/errors";
import { makeContext } from "../../helpers/context";

const elbv2 = mockClient(ElasticLoadBalancingV2Client);

const GRPC_TARGET_GROUP_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/payment-api-grpc/fedcba9876543210`;

/** A DescribeTargetHealth entry as ELBv2 returns it for an `ip` target group; healthy targets carry no Reason. */
function described(
  ip: string,
  port: number,
  state: TargetHealthStateEnum,
  reason?: TargetHealthReasonEnum,
  description?: string,
): TargetHealthDescription {
  return {
    Target: { Id: ip, Port: port },
    HealthCheckPort: String(port),
    TargetHealth: {
      State: state,
      ...(reason ? { Reason: reason } : {}),
      ...(description ? { Description: description } : {}),
    },
  };
}

/**
 * DescribeTargetGroups answers with these groups for whatever ARNs are asked; as ELBv2 does, a request naming
 * any ARN not among them fails as a whole.
 */
function targetGroups(groups: readonly SdkTargetGroup[]) {
  elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns?: string[] }) => {
    const asked = input.TargetGroupArns ?? [];
    if (asked.some((arn) => !groups.some((g) => g.TargetGroupArn === arn))) throw targetGroupNotFound();
    return { TargetGroups: groups.filter((g) => asked.includes(g.TargetGroupArn!)) };
  });
}

/** What ELBv2 answers when any ARN of the request names a deleted target group. */
const targetGroupNotFound = () =>
  notFound("elasticloadbalancing", "TargetGroupNotFoundException", "One or more target groups not found");

async function collect(ctx = makeContext()) {
  const result = await targetHealthStep.collect(ctx);
  if (result.status === "skipped") throw new Error(`unexpected skip: ${result.skipReason}`);
  TargetHealthDataSchema.parse(result.data);
  return result;
}

const twoGroupService = sdkService({
  loadBalancers: [
    { targetGroupArn: TARGET_GROUP_ARN, containerName: "app", containerPort: 8080 },
    { targetGroupArn: GRPC_TARGET_GROUP_ARN, containerName: "app", containerPort: 50051 },
  ],
});
const grpcGroup = sdkTargetGroup({
  TargetGroupArn: GRPC_TARGET_GROUP_ARN,
  TargetGroupName: "payment-api-grpc",
  Port: 50051,
  ProtocolVersion: "GRPC",
  HealthCheckPath: "/AWS.ALB/healthcheck",
  Matcher: { GrpcCode: "12" },
});

describe("step 4: target health", () => {
  beforeEach(() => elbv2.reset());

  it("reads each target's state, reason code and description, with the health-check settings", async () => {
    targetGroups([sdkTargetGroup()]);
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        described("10.0.1.23", 8080, "healthy"),
        described(
          "10.0.2.41",
          8080,
          "unhealthy",
          "Target.ResponseCodeMismatch",
          "Health checks failed with these codes: [404]",
        ),
        described(
          "10.0.1.57",
          8080,
          "unhealthy",
          "Target.ResponseCodeMismatch",
          "Health checks failed with these codes: [404]",
        ),
        described("10.0.2.88", 8080, "initial", "Elb.InitialHealthChecking", "Initial health checks in progress"),
        described(
          "10.0.1.12",
          8080,
          "draining",
          "Target.DeregistrationInProgress",
          "Target deregistration is in progress",
        ),
      ],
    });

    const result = await collect();

    expect(result.status).toBe("collected");
    const [group] = result.data.targetGroups;
    expect(result.data.targetGroups).toHaveLength(1);
    expect(group).toMatchObject({
      targetGroupArn: TARGET_GROUP_ARN,
      targetGroupName: "payment-api-tg",
      protocol: "HTTP",
      port: 8080,
      targetType: "ip",
      loadBalancerArns: [LOAD_BALANCER_ARN],
      containerName: "app",
      containerPort: 8080,
      healthCheck: {
        protocol: "HTTP",
        port: "traffic-port",
        path: "/health",
        matcher: { httpCode: "200" },
        intervalSeconds: 30,
        unhealthyThresholdCount: 2,
      },
    });
    expect(group!.error).toBeUndefined();
    expect(group!.targets[0]).toEqual({ id: "10.0.1.23", port: 8080, state: "healthy" });
    expect(group!.targets[1]).toEqual({
      id: "10.0.2.41",
      port: 8080,
      state: "unhealthy",
      reason: "Target.ResponseCodeMismatch",
      description: "Health checks failed with these codes: [404]",
    });
    expect(elbv2).toHaveReceivedCommandExactlyOnceWith(DescribeTargetHealthCommand, {
      TargetGroupArn: TARGET_GROUP_ARN,
    });
    expect(targetHealthStep.summarize(result.data)).toBe(
      "1 target group(s): 1/5 healthy; unhealthy: Target.ResponseCodeMismatch ×2; initial: Elb.InitialHealthChecking ×1; draining: Target.DeregistrationInProgress ×1",
    );
  });

  it("records one group's AccessDenied on that group and keeps the other (partial)", async () => {
    targetGroups([sdkTargetGroup(), grpcGroup]);
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: TARGET_GROUP_ARN }).resolves({
      TargetHealthDescriptions: [
        described("10.0.1.23", 8080, "unhealthy", "Target.Timeout", "Request timed out"),
        described("10.0.2.41", 8080, "unhealthy", "Target.FailedHealthChecks", "Health checks failed"),
      ],
    });
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: GRPC_TARGET_GROUP_ARN })
      .rejects(accessDenied("elasticloadbalancing:DescribeTargetHealth"));

    const result = await collect(makeContext({ service: twoGroupService }));

    expect(result.status).toBe("partial");
    if (result.status !== "partial") throw new Error("expected partial");
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 2);
    const [http, grpc] = result.data.targetGroups;
    expect(http!.targets.map((t) => [t.reason, t.description])).toEqual([
      ["Target.Timeout", "Request timed out"],
      ["Target.FailedHealthChecks", "Health checks failed"],
    ]);
    expect(http!.error).toBeUndefined();
    expect(grpc).toMatchObject({
      targetGroupName: "payment-api-grpc",
      containerPort: 50051,
      healthCheck: { matcher: { grpcCode: "12" } },
      targets: [],
    });
    expect(grpc!.error).toMatchObject({
      kind: "access_denied",
      code: "AccessDenied",
      operation: "elasticloadbalancing:DescribeTargetHealth",
    });
    expect(grpc!.error!.hint).toContain("AccessDenied on elasticloadbalancing:DescribeTargetHealth — grant it");
    expect(grpc!.error!.message).toContain("is not authorized to perform: elasticloadbalancing:DescribeTargetHealth");
    expect(result.errors).toEqual([grpc!.error]);
    expect(targetHealthStep.summarize(result.data)).toBe(
      "2 target group(s): 0/2 healthy; unhealthy: Target.Timeout ×1, Target.FailedHealthChecks ×1; 1 group(s) unreadable (access_denied)",
    );
  });

  it("records throttling on DescribeTargetHealth with ELBv2's own error code", async () => {
    targetGroups([sdkTargetGroup()]);
    elbv2.on(DescribeTargetHealthCommand).rejects(throttled("elasticloadbalancing"));

    const result = await collect();

    expect(result.status).toBe("partial");
    expect(result.data.targetGroups[0]!.error).toMatchObject({
      kind: "throttled",
      code: "Throttling",
      operation: "elasticloadbalancing:DescribeTargetHealth",
      message: "Rate exceeded",
    });
    expect(result.data.targetGroups[0]!.error!.hint).toContain(
      "elasticloadbalancing:DescribeTargetHealth was throttled",
    );
  });

  it("maps a group with no registered targets and targets whose optional fields are absent", async () => {
    const {
      HealthCheckPath: _p,
      Matcher: _m,
      LoadBalancerArns: _l,
      ...bareGroup
    } = sdkTargetGroup({ Protocol: "TCP", HealthCheckProtocol: "TCP" });
    targetGroups([bareGroup, grpcGroup]);
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TARGET_GROUP_ARN })
      .resolves({ TargetHealthDescriptions: [] });
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: GRPC_TARGET_GROUP_ARN })
      .resolves({ TargetHealthDescriptions: [{ Target: { Id: "10.0.1.23" }, TargetHealth: { State: "unused" } }] });

    const result = await collect(makeContext({ service: twoGroupService }));

    expect(result.status).toBe("collected");
    const [tcp, grpc] = result.data.targetGroups;
    expect(tcp!.targets).toEqual([]);
    expect(tcp!.loadBalancerArns).toEqual([]);
    expect(tcp!.healthCheck).not.toHaveProperty("path");
    expect(grpc!.targets).toEqual([{ id: "10.0.1.23", state: "unused" }]);
    expect(targetHealthStep.summarize(result.data)).toBe("2 target group(s): 0/1 healthy; unused: no reason ×1");
  });

  it.each([
    { case: "no loadBalancers entry", loadBalancers: [], reason: "the service has no load balancer" },
    {
      case: "loadBalancers absent from the response",
      loadBalancers: undefined,
      reason: "the service has no load balancer",
    },
    {
      case: "a Classic Load Balancer",
      loadBalancers: [{ loadBalancerName: "prod-classic", containerName: "app", containerPort: 8080 }],
      reason: "the service uses a Classic Load Balancer (no target groups)",
    },
  ])("skips when there is no target group: $case", async ({ loadBalancers, reason }) => {
    const result = await targetHealthStep.collect(makeContext({ service: sdkService({ loadBalancers }) }));

    expect(result).toEqual({ status: "skipped", skipReason: reason });
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 0);
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 0);
  });

  it("still reads target health when DescribeTargetGroups is denied, and records the describe error on the group", async () => {
    elbv2.on(DescribeTargetGroupsCommand).rejects(accessDenied("elasticloadbalancing:DescribeTargetGroups"));
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        described(
          "10.0.1.23",
          8080,
          "unhealthy",
          "Target.ResponseCodeMismatch",
          "Health checks failed with these codes: [404]",
        ),
      ],
    });

    const result = await collect();

    expect(result.status).toBe("partial");
    if (result.status !== "partial") throw new Error("expected partial");
    expect(elbv2).toHaveReceivedCommandExactlyOnceWith(DescribeTargetHealthCommand, {
      TargetGroupArn: TARGET_GROUP_ARN,
    });
    const [group] = result.data.targetGroups;
    expect(group).toEqual({
      targetGroupArn: TARGET_GROUP_ARN,
      containerName: "app",
      containerPort: 8080,
      targets: [
        {
          id: "10.0.1.23",
          port: 8080,
          state: "unhealthy",
          reason: "Target.ResponseCodeMismatch",
          description: "Health checks failed with these codes: [404]",
        },
      ],
      describeError: expect.objectContaining({
        kind: "access_denied",
        code: "AccessDenied",
        operation: "elasticloadbalancing:DescribeTargetGroups",
      }),
    });
    expect(group!.describeError!.hint).toContain(
      "AccessDenied on elasticloadbalancing:DescribeTargetGroups — grant it",
    );
    expect(result.errors).toEqual([group!.describeError]);
    expect(targetHealthStep.summarize(result.data)).toBe(
      "1 target group(s): 0/1 healthy; unhealthy: Target.ResponseCodeMismatch ×1; 1 group(s) not described (AccessDenied)",
    );
  });

  it("keeps the other groups when one target group was deleted (its whole DescribeTargetGroups batch fails)", async () => {
    // Incident shape: the gRPC target group was deleted while the service still names it.
    targetGroups([sdkTargetGroup()]);
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TARGET_GROUP_ARN })
      .resolves({ TargetHealthDescriptions: [described("10.0.1.23", 8080, "healthy")] });
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: GRPC_TARGET_GROUP_ARN }).rejects(targetGroupNotFound());

    const result = await collect(makeContext({ service: twoGroupService }));

    expect(result.status).toBe("partial");
    if (result.status !== "partial") throw new Error("expected partial");
    // The batch of two, then each ARN alone.
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 3);
    expect(elbv2).toHaveReceivedCommandWith(DescribeTargetGroupsCommand, { TargetGroupArns: [GRPC_TARGET_GROUP_ARN] });
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetHealthCommand, 2);
    const [http, grpc] = result.data.targetGroups;
    expect(http).toMatchObject({
      targetGroupName: "payment-api-tg",
      healthCheck: { path: "/health" },
      targets: [{ id: "10.0.1.23", state: "healthy" }],
    });
    expect(http!.describeError).toBeUndefined();
    expect(grpc).toMatchObject({ targetGroupArn: GRPC_TARGET_GROUP_ARN, containerPort: 50051, targets: [] });
    expect(grpc).not.toHaveProperty("healthCheck");
    expect(grpc!.describeError).toMatchObject({
      kind: "not_found",
      code: "TargetGroupNotFoundException",
      operation: "elasticloadbalancing:DescribeTargetGroups",
      message: "One or more target groups not found",
    });
    expect(grpc!.error).toMatchObject({
      kind: "not_found",
      code: "TargetGroupNotFoundException",
      operation: "elasticloadbalancing:DescribeTargetHealth",
    });
    expect(result.errors.map((e) => e.operation)).toEqual([
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
    ]);
    expect(targetHealthStep.summarize(result.data)).toBe(
      "2 target group(s): 1/1 healthy; 1 group(s) not described (TargetGroupNotFoundException); 1 group(s) unreadable (not_found)",
    );
  });

  it("throws with the IAM action when neither DescribeTargetGroups nor DescribeTargetHealth answers", async () => {
    elbv2.on(DescribeTargetGroupsCommand).rejects(accessDenied("elasticloadbalancing:DescribeTargetGroups"));
    elbv2.on(DescribeTargetHealthCommand).rejects(accessDenied("elasticloadbalancing:DescribeTargetHealth"));

    const thrown = await targetHealthStep.collect(makeContext()).then(
      () => undefined,
      (error: unknown) => error,
    );

    const stepError = toStepError(thrown);
    expect(stepError).toMatchObject({
      kind: "access_denied",
      code: "AccessDenied",
      operation: "elasticloadbalancing:DescribeTargetGroups",
    });
    expect(stepError.hint).toContain("elasticloadbalancing:DescribeTargetGroups");
  });
});
