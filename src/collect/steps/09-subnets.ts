import { paginateDescribeSubnets, type Subnet } from "@aws-sdk/client-ec2";
import { awsCall } from "../../aws/aws-call";
import type { SubnetsData } from "../../evidence/schema";
import { compact } from "../convert";
import { outcome, skipped, type Step } from "../step";

/** ECS's default `maximumPercent` for rolling updates when the service does not set one. */
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
  id: "subnets",
  number: 9,
  title: "Subnet IPs",
  async collect(ctx) {
    const subnetIds = ctx.service.network?.subnets ?? [];
    if (subnetIds.length === 0) return skipped("the service has no awsvpc subnets (not awsvpc network mode)");

    const found: Subnet[] = [];
    await awsCall("ec2:DescribeSubnets", async () => {
      let pages = 0;
      for await (const page of paginateDescribeSubnets({ client: ctx.clients.ec2 }, { SubnetIds: [...subnetIds] })) {
        found.push(...(page.Subnets ?? []));
        if (++pages >= MAX_PAGES) break;
      }
    });

    // Keep the service's own subnet order, which is how a person reads its configuration.
    const order = new Map(subnetIds.map((id, i) => [id, i]));
    const subnets = found
      .map((s) =>
        compact({
          subnetId: s.SubnetId ?? "",
          vpcId: s.VpcId,
          availabilityZone: s.AvailabilityZone,
          cidrBlock: s.CidrBlock,
          availableIpAddressCount: s.AvailableIpAddressCount ?? 0,
        }),
      )
      .sort((a, b) => (order.get(a.subnetId) ?? Infinity) - (order.get(b.subnetId) ?? Infinity));

    const { desiredCount, runningCount } = ctx.service;
    const maximumPercent = ctx.service.deploymentConfiguration?.maximumPercent ?? DEFAULT_MAXIMUM_PERCENT;
    const data: SubnetsData = {
      subnets,
      desiredCount,
      runningCount,
      maximumPercent,
      surgeNeed: surgeNeed(desiredCount, runningCount, maximumPercent),
      totalAvailable: subnets.reduce((sum, s) => sum + s.availableIpAddressCount, 0),
    };
    return outcome(data);
  },
  summarize(data) {
    const each = data.subnets.map((s) => `${s.subnetId}${s.availabilityZone ? ` (${s.availabilityZone})` : ""}: ${s.availableIpAddressCount}`).join(", ");
    return `${data.totalAvailable} free IP(s) in ${data.subnets.length} subnet(s) [${each}]; a deployment may need ${data.surgeNeed} more (desired ${data.desiredCount} × ${data.maximumPercent}% − running ${data.runningCount})`;
  },
};

/**
 * Task ENIs a rolling deployment may add on top of the running tasks. ECS rounds desired × maximumPercent
 * down to a whole number of tasks ("the upper limit … rounded down to the nearest integer").
 */
export function surgeNeed(desiredCount: number, runningCount: number, maximumPercent: number): number {
  return Math.max(0, Math.floor((desiredCount * maximumPercent) / 100) - runningCount);
}
