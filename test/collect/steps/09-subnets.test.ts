import { DescribeSubnetsCommand, EC2Client, type Subnet } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { toStepError } from "../../../src/aws/step-error";
import { subnetsStep, surgeNeed } from "../../../src/collect/steps/09-subnets";
import { SubnetsDataSchema } from "../../../src/evidence/schema";
import { ACCOUNT, REGION, sdkService } from "../../fixtures/aws";
import { accessDenied, notFound, throttled } from "../../fixtures/errors";
import { makeContext } from "../../helpers/context";

const ec2 = mockClient(EC2Client);

const SUBNET_A = "subnet-0a1b2c3d4e5f60001";
const SUBNET_B = "subnet-0a1b2c3d4e5f60002";
const VPC = "vpc-0a1b2c3d4e5f60000";

/** A subnet as DescribeSubnets returns it. */
function sdkSubnet(subnetId: string, az: string, cidrBlock: string, free: number): Subnet {
  return {
    AvailabilityZoneId: az === `${REGION}a` ? "use1-az1" : "use1-az2",
    MapCustomerOwnedIpOnLaunch: false,
    SubnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${subnetId}`,
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: {
      HostnameType: "ip-name",
      EnableResourceNameDnsARecord: false,
      EnableResourceNameDnsAAAARecord: false,
    },
    BlockPublicAccessStates: { InternetGatewayBlockMode: "off" },
    SubnetId: subnetId,
    State: "available",
    VpcId: VPC,
    CidrBlock: cidrBlock,
    AvailableIpAddressCount: free,
    AvailabilityZone: az,
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    OwnerId: ACCOUNT,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    Tags: [{ Key: "Name", Value: `prod-private-${az}` }],
  };
}

async function collect(ctx = makeContext()) {
  const result = await subnetsStep.collect(ctx);
  if (result.status === "skipped") throw new Error(`unexpected skip: ${result.skipReason}`);
  SubnetsDataSchema.parse(result.data);
  return result;
}

describe("step 9: subnets", () => {
  beforeEach(() => ec2.reset());

  it("reports free IPs per subnet against the deployment's surge need, including a full /28", async () => {
    // A /28 has 16 addresses, AWS reserves 5: 11 usable, all taken here by task ENIs.
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        sdkSubnet(SUBNET_B, `${REGION}b`, "10.0.2.0/24", 187),
        sdkSubnet(SUBNET_A, `${REGION}a`, "10.0.1.0/28", 0),
      ],
    });
    const ctx = makeContext({ service: sdkService({ desiredCount: 6, runningCount: 5 }) });

    const result = await collect(ctx);

    expect(result.status).toBe("collected");
    expect(ec2).toHaveReceivedCommandWith(DescribeSubnetsCommand, { SubnetIds: [SUBNET_A, SUBNET_B] });
    expect(result.data).toEqual({
      subnets: [
        {
          subnetId: SUBNET_A,
          vpcId: VPC,
          availabilityZone: `${REGION}a`,
          cidrBlock: "10.0.1.0/28",
          availableIpAddressCount: 0,
        },
        {
          subnetId: SUBNET_B,
          vpcId: VPC,
          availabilityZone: `${REGION}b`,
          cidrBlock: "10.0.2.0/24",
          availableIpAddressCount: 187,
        },
      ],
      desiredCount: 6,
      runningCount: 5,
      maximumPercent: 200,
      maximumPercentDefaulted: false,
      surgeNeed: 7,
      totalAvailable: 187,
    });
    expect(subnetsStep.summarize(result.data)).toBe(
      `187 free IP(s) in 2 subnet(s) [${SUBNET_A} (us-east-1a): 0, ${SUBNET_B} (us-east-1b): 187]; a deployment may need 7 more (desired 6 × 200% − running 5)`,
    );
  });

  it("follows NextToken, including an empty page that carries one", async () => {
    ec2
      .on(DescribeSubnetsCommand)
      .resolvesOnce({ Subnets: [sdkSubnet(SUBNET_A, `${REGION}a`, "10.0.1.0/24", 240)], NextToken: "t1" })
      .resolvesOnce({ Subnets: [], NextToken: "t2" })
      .resolvesOnce({ Subnets: [sdkSubnet(SUBNET_B, `${REGION}b`, "10.0.2.0/24", 250)] });

    const result = await collect();

    expect(ec2).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 3);
    expect(result.data.subnets.map((s) => s.subnetId)).toEqual([SUBNET_A, SUBNET_B]);
    expect(result.data.totalAvailable).toBe(490);
  });

  it("keeps absent optional fields absent and uses ECS's default maximumPercent of 200, marked as defaulted", async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET_A, AvailableIpAddressCount: 3 }] });
    const ctx = makeContext({
      service: sdkService({
        desiredCount: 3,
        runningCount: 3,
        deploymentConfiguration: { minimumHealthyPercent: 100 },
        networkConfiguration: { awsvpcConfiguration: { subnets: [SUBNET_A] } },
      }),
    });

    const result = await collect(ctx);

    expect(result.data.subnets).toEqual([{ subnetId: SUBNET_A, availableIpAddressCount: 3 }]);
    expect(result.data.maximumPercent).toBe(200);
    expect(result.data.maximumPercentDefaulted).toBe(true);
    expect(result.data.surgeNeed).toBe(3);
    expect(subnetsStep.summarize(result.data)).toContain("(desired 3 × 200% (ECS default) − running 3)");
  });

  it("leaves a subnet without AvailableIpAddressCount out of the total instead of counting it as 0", async () => {
    const { AvailableIpAddressCount: _free, ...uncounted } = sdkSubnet(SUBNET_B, `${REGION}b`, "10.0.2.0/24", 0);
    ec2
      .on(DescribeSubnetsCommand)
      .resolves({ Subnets: [sdkSubnet(SUBNET_A, `${REGION}a`, "10.0.1.0/24", 40), uncounted] });

    const result = await collect();

    expect(result.data.subnets[1]).toEqual({
      subnetId: SUBNET_B,
      vpcId: VPC,
      availabilityZone: `${REGION}b`,
      cidrBlock: "10.0.2.0/24",
    });
    expect(result.data.totalAvailable).toBe(40);
    expect(subnetsStep.summarize(result.data)).toBe(
      `40 free IP(s) (1 subnet(s) without a count left out) in 2 subnet(s) [${SUBNET_A} (us-east-1a): 40, ${SUBNET_B} (us-east-1b): ?]; a deployment may need 3 more (desired 3 × 200% − running 3)`,
    );
  });

  it.each([
    { case: "a normal rolling update", desired: 3, running: 3, max: 200, need: 3 },
    { case: "a fractional ceiling rounds down, as ECS does", desired: 3, running: 3, max: 150, need: 1 },
    { case: "no surge allowed", desired: 4, running: 4, max: 100, need: 0 },
    { case: "more running than the ceiling", desired: 2, running: 5, max: 200, need: 0 },
    { case: "scaled to zero", desired: 0, running: 0, max: 200, need: 0 },
    { case: "tasks failing to start", desired: 10, running: 0, max: 200, need: 20 },
  ])("surge need: $case", ({ desired, running, max, need }) => {
    expect(surgeNeed(desired, running, max)).toBe(need);
  });

  it.each([
    { case: "no network configuration (bridge mode)", service: sdkService({ networkConfiguration: undefined }) },
    {
      case: "an empty subnet list",
      service: sdkService({ networkConfiguration: { awsvpcConfiguration: { subnets: [] } } }),
    },
  ])("is skipped for $case, with no call", async ({ service }) => {
    const result = await subnetsStep.collect(makeContext({ service }));
    expect(result).toEqual({
      status: "skipped",
      skipReason: "the service has no awsvpc subnets (not awsvpc network mode)",
    });
    expect(ec2).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 0);
  });

  it.each([
    {
      case: "AccessDenied",
      error: accessDenied("ec2:DescribeSubnets"),
      expected: { kind: "access_denied", code: "UnauthorizedOperation" },
      hint: /^AccessDenied on ec2:DescribeSubnets — grant it .* to see subnet free IPs$/,
    },
    {
      case: "throttling",
      error: throttled("ec2"),
      expected: { kind: "throttled", code: "RequestLimitExceeded" },
      hint: /^ec2:DescribeSubnets was throttled/,
    },
    {
      case: "a deleted subnet",
      error: notFound("ec2", "InvalidSubnetID.NotFound", `The subnet ID '${SUBNET_B}' does not exist`),
      expected: {
        kind: "not_found",
        code: "InvalidSubnetID.NotFound",
        message: `The subnet ID '${SUBNET_B}' does not exist`,
      },
      hint: /^ec2:DescribeSubnets found nothing/,
    },
  ])("throws on $case and the error names ec2:DescribeSubnets", async ({ error, expected, hint }) => {
    ec2.on(DescribeSubnetsCommand).rejects(error);

    const thrown = await subnetsStep.collect(makeContext()).catch((e: unknown) => e);

    const stepError = toStepError(thrown);
    expect(stepError).toMatchObject({ ...expected, operation: "ec2:DescribeSubnets" });
    expect(stepError.hint).toMatch(hint);
  });
});
