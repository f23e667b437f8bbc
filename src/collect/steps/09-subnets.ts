import { subnetsEntry } from "../../steps/09-subnets";
import { paginateDescribeSubnets, type Subnet } from "@aws-sdk/client-ec2";
import { awsCall, collectPages } from "../../aws/aws-call";
import type { SubnetsData } from "../../evidence/schema";
import { compact } from "../convert";
import { outcome, skipped, type Step } from "../step";

/**
 * ECS's documented `maximumPercent` default for a REPLICA service that does not set one (the API reference gives
 * no other); DescribeServices normally returns the value, so this is a fallback, marked `maximumPercentDefaulted`.
 */
const DEFAULT_MAXIMUM_PERCENT = 200;
/** A service has at most 16 subnets; DescribeSubnets with explicit IDs answers in one page, but stay bounded. */
const MAX_PAGES = 5;

/**
 * Step 9 — free IPs in the service's awsvpc subnets (EC2 DescribeSubnets). Every Fargate/awsvpc task takes one
 * ENI and one IP, and a rolling deployment may start up to desired × maximumPercent / 100 tasks at once, so a
 * subnet that runs dry stops new tasks with "ENI … no free IP addresses" while the old ones keep running.
 * Skipped for services not in awsvpc mode (bridge/host: tasks use the instance's IP).
 */
export const subnetsStep: Step<"subnets"> = {
  ...subnetsEntry,
  async collect(ctx) {
    const subnetIds = ctx.service.network?.subnets ?? [];
    if (subnetIds.length === 0) return skipped("the service has no awsvpc subnets (not awsvpc network mode)");

    const { items: found } = await awsCall("ec2:DescribeSubnets", () =>
      collectPages(
        paginateDescribeSubnets({ client: ctx.clients.ec2 }, { SubnetIds: [...subnetIds] }),
        (p) => p.Subnets,
        { maxPages: MAX_PAGES },
      ),
    );

    // Keep the service's own subnet order, which is how a person reads its configuration.
    const order = new Map(subnetIds.map((id, i) => [id, i]));
    const subnets = found
      .map((s: Subnet) =>
        compact({
          subnetId: s.SubnetId ?? "",
          vpcId: s.VpcId,
          availabilityZone: s.AvailabilityZone,
          cidrBlock: s.CidrBlock,
          availableIpAddressCount: s.AvailableIpAddressCount,
        }),
      )
      .sort((a, b) => (order.get(a.subnetId) ?? Infinity) - (order.get(b.subnetId) ?? Infinity));

    const { desiredCount, runningCount } = ctx.service;
    const configured = ctx.service.deploymentConfiguration?.maximumPercent;
    const maximumPercent = configured ?? DEFAULT_MAXIMUM_PERCENT;
    const data: SubnetsData = {
      subnets,
      desiredCount,
      runningCount,
      maximumPercent,
      maximumPercentDefaulted: configured === undefined,
      surgeNeed: surgeNeed(desiredCount, runningCount, maximumPercent),
      // A subnet EC2 gave no count for is left out rather than counted as 0 (or as anything else).
      totalAvailable: subnets.reduce((sum, s) => sum + (s.availableIpAddressCount ?? 0), 0),
    };
    return outcome(data);
  },
};

/**
 * Task ENIs a rolling deployment may add on top of the running tasks. ECS rounds desired × maximumPercent
 * down to a whole number of tasks ("the upper limit … rounded down to the nearest integer").
 */
export function surgeNeed(desiredCount: number, runningCount: number, maximumPercent: number): number {
  return Math.max(0, Math.floor((desiredCount * maximumPercent) / 100) - runningCount);
}
