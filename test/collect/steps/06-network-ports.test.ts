import { DescribeSecurityGroupsCommand, EC2Client, type SecurityGroup } from "@aws-sdk/client-ec2";
import { DescribeTaskDefinitionCommand, ECSClient, type TaskDefinition } from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { networkPortsStep } from "../../../src/collect/steps/06-network-ports";
import { NetworkDataSchema, type NetworkData } from "../../../src/evidence/schema";
import {
  ACCOUNT,
  LOAD_BALANCER_ARN,
  REGION,
  TARGET_GROUP_ARN,
  TASK_DEF_ARN,
  at,
  sdkService,
  sdkTargetGroup,
  sdkTaskDefinition,
} from "../../fixtures/aws";
import { accessDenied, notFound, throttled } from "../../fixtures/errors";
import { makeContext } from "../../helpers/context";

const ecs = mockClient(ECSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const ec2 = mockClient(EC2Client);

beforeEach(() => {
  ecs.reset();
  elbv2.reset();
  ec2.reset();
});

const VPC = "vpc-0a1b2c3d4e5f60000";
const TASK_SG = "sg-0task000000000001";
const ALB_SG = "sg-0alb000000000001";

function givenTaskDefinition(td: TaskDefinition = sdkTaskDefinition(42)): void {
  ecs
    .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(42) })
    .resolves({ taskDefinition: td, tags: [] });
  ecs
    .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(41) })
    .rejects(notFound("ecs", "ClientException", "Unable to describe task definition."));
}

function sdkLoadBalancer(overrides: Partial<LoadBalancer> = {}): LoadBalancer {
  return {
    LoadBalancerArn: LOAD_BALANCER_ARN,
    DNSName: "internal-prod-alb-1234567890.us-east-1.elb.amazonaws.com",
    CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
    CreatedTime: at("2026-01-15T08:00:00Z"),
    LoadBalancerName: "prod-alb",
    Scheme: "internal",
    VpcId: VPC,
    State: { Code: "active" },
    Type: "application",
    AvailabilityZones: [{ ZoneName: `${REGION}a`, SubnetId: "subnet-0a1b2c3d4e5f60001", LoadBalancerAddresses: [] }],
    SecurityGroups: [ALB_SG],
    IpAddressType: "ipv4",
    ...overrides,
  };
}

const allEgress = {
  IpProtocol: "-1",
  UserIdGroupPairs: [],
  IpRanges: [{ CidrIp: "0.0.0.0/0" }],
  Ipv6Ranges: [],
  PrefixListIds: [],
};

function sdkSecurityGroup(groupId: string, overrides: Partial<SecurityGroup> = {}): SecurityGroup {
  return {
    GroupId: groupId,
    IpPermissionsEgress: [allEgress],
    VpcId: VPC,
    SecurityGroupArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${groupId}`,
    OwnerId: ACCOUNT,
    GroupName: `${groupId}-name`,
    Description: "managed by terraform",
    IpPermissions: [],
    ...overrides,
  };
}

const taskSg = sdkSecurityGroup(TASK_SG, {
  GroupName: "payment-api-tasks",
  IpPermissions: [
    {
      IpProtocol: "tcp",
      FromPort: 8080,
      ToPort: 8080,
      UserIdGroupPairs: [{ GroupId: ALB_SG, UserId: ACCOUNT, Description: "from the ALB" }],
      IpRanges: [],
      Ipv6Ranges: [],
      PrefixListIds: [],
    },
  ],
});
const albSg = sdkSecurityGroup(ALB_SG, {
  GroupName: "prod-alb",
  IpPermissions: [
    {
      IpProtocol: "tcp",
      FromPort: 443,
      ToPort: 443,
      UserIdGroupPairs: [],
      IpRanges: [{ CidrIp: "10.0.0.0/8", Description: "corp" }],
      Ipv6Ranges: [{ CidrIpv6: "::/0" }],
      PrefixListIds: [{ PrefixListId: "pl-0a1b2c3d4e5f60001" }],
    },
  ],
});

function givenHappyPath(): void {
  givenTaskDefinition();
  elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [sdkTargetGroup()] });
  elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [sdkLoadBalancer()] });
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [albSg, taskSg] });
}

function collected(result: Awaited<ReturnType<typeof networkPortsStep.collect>>): NetworkData {
  if (result.status === "skipped") throw new Error(`unexpected skip: ${result.skipReason}`);
  // Exactly the snapshot contract: parsing drops nothing and changes nothing.
  expect(NetworkDataSchema.parse(result.data)).toEqual(result.data);
  return result.data;
}

const EXPECTED_TASK_SG = {
  groupId: TASK_SG,
  groupName: "payment-api-tasks",
  vpcId: VPC,
  ingress: [
    {
      ipProtocol: "tcp",
      fromPort: 8080,
      toPort: 8080,
      cidrIpv4: [],
      cidrIpv6: [],
      sourceGroupIds: [ALB_SG],
      prefixListIds: [],
    },
  ],
  egress: [{ ipProtocol: "-1", cidrIpv4: ["0.0.0.0/0"], cidrIpv6: [], sourceGroupIds: [], prefixListIds: [] }],
};

describe("step 6: network and ports", () => {
  it("joins container ports, target groups, load balancers and flattened security-group rules", async () => {
    givenHappyPath();

    const result = await networkPortsStep.collect(makeContext());

    expect(result.status).toBe("collected");
    expect(collected(result)).toEqual({
      networkMode: "awsvpc",
      assignPublicIp: "DISABLED",
      subnets: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
      serviceSecurityGroups: [TASK_SG],
      containerPorts: [{ containerName: "app", containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
      bindings: [
        {
          targetGroupArn: TARGET_GROUP_ARN,
          containerName: "app",
          containerPort: 8080,
          targetGroupPort: 8080,
          healthCheckPort: "traffic-port",
          loadBalancerArns: [LOAD_BALANCER_ARN],
        },
      ],
      loadBalancers: [
        {
          loadBalancerArn: LOAD_BALANCER_ARN,
          loadBalancerName: "prod-alb",
          type: "application",
          scheme: "internal",
          vpcId: VPC,
          securityGroups: [ALB_SG],
        },
      ],
      securityGroups: [
        EXPECTED_TASK_SG,
        {
          groupId: ALB_SG,
          groupName: "prod-alb",
          vpcId: VPC,
          ingress: [
            {
              ipProtocol: "tcp",
              fromPort: 443,
              toPort: 443,
              cidrIpv4: ["10.0.0.0/8"],
              cidrIpv6: ["::/0"],
              sourceGroupIds: [],
              prefixListIds: ["pl-0a1b2c3d4e5f60001"],
            },
          ],
          egress: [{ ipProtocol: "-1", cidrIpv4: ["0.0.0.0/0"], cidrIpv6: [], sourceGroupIds: [], prefixListIds: [] }],
        },
      ],
      errors: [],
    });
    expect(elbv2).toHaveReceivedCommandWith(DescribeLoadBalancersCommand, { LoadBalancerArns: [LOAD_BALANCER_ARN] });
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [TASK_SG, ALB_SG] });
    expect(networkPortsStep.summarize(collected(result))).toBe(
      "awsvpc mode; container ports app:8080; bindings app:8080 ← target port 8080 (health traffic-port); LB application/internal; 2 security group(s) read",
    );
  });

  it("pages DescribeSecurityGroups, including an empty page that carries a token", async () => {
    givenTaskDefinition();
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [sdkTargetGroup()] });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [sdkLoadBalancer()] });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [albSg], NextToken: "eyJ2IjoiMiIsImMiOiJwYWdlLTEifQ==" })
      .resolvesOnce({ SecurityGroups: [], NextToken: "eyJ2IjoiMiIsImMiOiJwYWdlLTIifQ==" })
      .resolvesOnce({ SecurityGroups: [taskSg] });

    const data = collected(await networkPortsStep.collect(makeContext()));

    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 3);
    expect(ec2).toHaveReceivedNthCommandWith(DescribeSecurityGroupsCommand, 3, {
      NextToken: "eyJ2IjoiMiIsImMiOiJwYWdlLTIifQ==",
    });
    expect(data.securityGroups.map((g) => g.groupId)).toEqual([TASK_SG, ALB_SG]);
  });

  it.each([
    {
      case: "AccessDenied (UnauthorizedOperation, 403)",
      error: accessDenied("ec2:DescribeSecurityGroups"),
      want: { kind: "access_denied", code: "UnauthorizedOperation" },
    },
    {
      case: "throttling (RequestLimitExceeded)",
      error: throttled("ec2"),
      want: { kind: "throttled", code: "RequestLimitExceeded" },
    },
  ])(
    "keeps ports, bindings and load balancers when ec2:DescribeSecurityGroups fails with $case",
    async ({ error, want }) => {
      givenHappyPath();
      ec2.on(DescribeSecurityGroupsCommand).rejects(error);

      const result = await networkPortsStep.collect(makeContext());

      expect(result.status).toBe("partial");
      const data = collected(result);
      expect(data.containerPorts).toHaveLength(1);
      expect(data.bindings[0]).toMatchObject({ targetGroupPort: 8080, containerPort: 8080 });
      expect(data.loadBalancers).toHaveLength(1);
      expect(data.securityGroups).toEqual([]);
      expect(data.errors).toHaveLength(1);
      expect(data.errors[0]).toMatchObject({ ...want, operation: "ec2:DescribeSecurityGroups" });
      expect(data.errors[0]!.hint).toContain("ec2:DescribeSecurityGroups");
      if (result.status !== "skipped") expect(result.errors).toEqual(data.errors);
      expect(networkPortsStep.summarize(data)).toContain("1 read(s) failed: ec2:DescribeSecurityGroups");
    },
  );

  it("keeps the bindings from the service when the target groups cannot be read, and still reads the task's security groups", async () => {
    givenTaskDefinition();
    elbv2.on(DescribeTargetGroupsCommand).rejects(accessDenied("elasticloadbalancing:DescribeTargetGroups"));
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [taskSg] });

    const data = collected(await networkPortsStep.collect(makeContext()));

    expect(data.bindings).toEqual([
      { targetGroupArn: TARGET_GROUP_ARN, containerName: "app", containerPort: 8080, loadBalancerArns: [] },
    ]);
    expect(data.errors[0]).toMatchObject({
      kind: "access_denied",
      code: "AccessDenied",
      operation: "elasticloadbalancing:DescribeTargetGroups",
    });
    expect(elbv2).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 0);
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [TASK_SG] });
    expect(data.securityGroups).toEqual([EXPECTED_TASK_SG]);
  });

  it("still reads the task's security groups when the load balancers cannot be described", async () => {
    givenHappyPath();
    elbv2.on(DescribeLoadBalancersCommand).rejects(throttled("elasticloadbalancing"));
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [taskSg] });

    const result = await networkPortsStep.collect(makeContext());

    expect(result.status).toBe("partial");
    const data = collected(result);
    expect(data.loadBalancers).toEqual([]);
    expect(data.errors[0]).toMatchObject({
      kind: "throttled",
      code: "Throttling",
      operation: "elasticloadbalancing:DescribeLoadBalancers",
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [TASK_SG] });
  });

  it("collects ports and bindings for bridge mode, with no security groups to show", async () => {
    givenTaskDefinition(
      sdkTaskDefinition(42, {
        networkMode: "bridge",
        requiresCompatibilities: ["EC2"],
        containerDefinitions: [
          {
            ...sdkTaskDefinition(42).containerDefinitions![0]!,
            portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
          },
        ],
      }),
    );
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [sdkTargetGroup({ TargetType: "instance" })] });
    elbv2.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [sdkLoadBalancer()] });
    const { networkConfiguration: _dropped, ...bridgeService } = sdkService({ launchType: "EC2" });

    const result = await networkPortsStep.collect(makeContext({ service: bridgeService }));

    expect(result.status).toBe("collected");
    const data = collected(result);
    expect(data.networkMode).toBe("bridge");
    expect(data).not.toHaveProperty("assignPublicIp");
    expect(data.subnets).toEqual([]);
    expect(data.serviceSecurityGroups).toEqual([]);
    expect(data.securityGroups).toEqual([]);
    expect(data.containerPorts).toEqual([{ containerName: "app", containerPort: 8080, hostPort: 0, protocol: "tcp" }]);
    expect(data.bindings).toHaveLength(1);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 0);
  });

  it("skips when the service has no target group, keeping the ports it read", async () => {
    givenTaskDefinition();

    const result = await networkPortsStep.collect(makeContext({ service: sdkService({ loadBalancers: [] }) }));

    expect(result.status).toBe("skipped");
    if (result.status !== "skipped") throw new Error("expected a skip");
    expect(result.skipReason).toContain("no target group");
    expect(result.data?.containerPorts).toHaveLength(1);
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupsCommand, 0);
  });

  it("handles absent optional fields: an NLB without security groups, no port mappings, rules without ports", async () => {
    givenTaskDefinition(
      sdkTaskDefinition(42, {
        containerDefinitions: [{ ...sdkTaskDefinition(42).containerDefinitions![0]!, portMappings: undefined }],
      }),
    );
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        sdkTargetGroup({
          Protocol: "TCP",
          HealthCheckProtocol: "TCP",
          HealthCheckPath: undefined,
          Matcher: undefined,
          HealthCheckPort: undefined,
        }),
      ],
    });
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [sdkLoadBalancer({ Type: "network", Scheme: "internet-facing", SecurityGroups: undefined })],
    });
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: TASK_SG,
          IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: TASK_SG, UserId: ACCOUNT }] }],
        },
      ],
    });

    const data = collected(await networkPortsStep.collect(makeContext()));

    expect(data.containerPorts).toEqual([]);
    expect(data.bindings[0]).not.toHaveProperty("healthCheckPort");
    expect(data.loadBalancers[0]!.securityGroups).toEqual([]);
    expect(data.securityGroups).toEqual([
      {
        groupId: TASK_SG,
        ingress: [{ ipProtocol: "-1", cidrIpv4: [], cidrIpv6: [], sourceGroupIds: [TASK_SG], prefixListIds: [] }],
        egress: [],
      },
    ]);
    expect(networkPortsStep.summarize(data)).toContain("container ports none");
  });

  it("fails the step when the task definition cannot be read (the runner records it)", async () => {
    ecs.on(DescribeTaskDefinitionCommand).rejects(accessDenied("ecs:DescribeTaskDefinition"));

    await expect(networkPortsStep.collect(makeContext())).rejects.toMatchObject({
      operation: "ecs:DescribeTaskDefinition",
    });
  });
});
