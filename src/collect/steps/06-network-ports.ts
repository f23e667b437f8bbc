import { networkPortsEntry } from "../../steps/06-network-ports";
import {
  paginateDescribeSecurityGroups,
  type EC2Client,
  type IpPermission,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import { awsCall, collectPages } from "../../aws/aws-call";
import { dedupeErrors, toStepError } from "../../aws/step-error";
import type { NetworkData, StepError } from "../../evidence/schema";
import { compact } from "../convert";
import { outcome, type Step } from "../step";

type SecurityGroupRule = NetworkData["securityGroups"][number]["ingress"][number];

/** Pages read at most per paginated call (with explicit ids AWS answers in one). */
const MAX_PAGES = 10;

/**
 * Step 6 — the path traffic takes from the load balancer to the container: the current task definition's
 * container ports, the service's awsvpc subnets and security groups, each service.loadBalancers binding joined
 * with its target group (target port, health-check port), the load balancers (type, scheme, security groups)
 * and the rules of every security group involved. Reads: elasticloadbalancing:DescribeTargetGroups (shared),
 * elasticloadbalancing:DescribeLoadBalancers (shared with step 10), ec2:DescribeSecurityGroups. A failed read leaves the others intact.
 */
export const networkPortsStep: Step<"network-ports"> = {
  ...networkPortsEntry,
  async collect(ctx) {
    const { current } = await ctx.taskDefinitions();
    // Only awsvpc tasks have their own ENI and security groups; bridge/host tasks sit behind the container
    // instance's, which this step does not read, so there is no security-group path to show.
    const awsvpc = current.networkMode === "awsvpc";
    const network = awsvpc ? ctx.service.network : undefined;
    const containerPorts = current.containers.flatMap((c) =>
      c.portMappings.map((p) =>
        compact({ containerName: c.name, containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol }),
      ),
    );
    const data: NetworkData = {
      networkMode: current.networkMode,
      assignPublicIp: network?.assignPublicIp,
      subnets: network?.subnets ?? [],
      serviceSecurityGroups: network?.securityGroups ?? [],
      containerPorts,
      bindings: [],
      loadBalancers: [],
      securityGroups: [],
      errors: [],
    };
    const tgBindings = ctx.service.loadBalancers.filter((lb) => lb.targetGroupArn);
    if (tgBindings.length === 0) {
      return {
        status: "skipped",
        skipReason: "the service has no target group: no load balancer sends traffic to the tasks",
        data: compact(data),
      };
    }

    const { groups: targetGroups, failed } = await ctx.targetGroups();
    const errors: StepError[] = dedupeErrors(failed.map((f) => f.error));
    const byArn = new Map(targetGroups.map((tg) => [tg.targetGroupArn, tg]));
    data.bindings = tgBindings.map((lb) => {
      const tg = byArn.get(lb.targetGroupArn!);
      return compact({
        targetGroupArn: lb.targetGroupArn!,
        containerName: lb.containerName,
        containerPort: lb.containerPort,
        targetGroupPort: tg?.port,
        healthCheckPort: tg?.healthCheck.port,
        loadBalancerArns: tg?.loadBalancerArns ?? [],
      });
    });

    // Shared with step 10 (ctx.loadBalancers(): one DescribeLoadBalancers per run).
    const lbs = await ctx.loadBalancers();
    data.loadBalancers = [...lbs.loadBalancers];
    if (lbs.error) errors.push(lbs.error);

    const groupIds = unique([...data.serviceSecurityGroups, ...data.loadBalancers.flatMap((lb) => lb.securityGroups)]);
    if (awsvpc && groupIds.length > 0) {
      try {
        const groups = await describeSecurityGroups(ctx.clients.ec2, groupIds);
        data.securityGroups = groups
          .map((g) =>
            compact({
              groupId: g.GroupId ?? "",
              groupName: g.GroupName,
              vpcId: g.VpcId,
              ingress: toRules(g.IpPermissions),
              egress: toRules(g.IpPermissionsEgress),
            }),
          )
          .sort((a, b) => groupIds.indexOf(a.groupId) - groupIds.indexOf(b.groupId));
      } catch (error) {
        errors.push(toStepError(error, "ec2:DescribeSecurityGroups"));
      }
    }

    data.errors = errors;
    return outcome(compact(data), errors);
  },
};

async function describeSecurityGroups(ec2: EC2Client, GroupIds: string[]): Promise<SecurityGroup[]> {
  const { items } = await awsCall("ec2:DescribeSecurityGroups", () =>
    collectPages(paginateDescribeSecurityGroups({ client: ec2 }, { GroupIds }), (p) => p.SecurityGroups, {
      maxPages: MAX_PAGES,
    }),
  );
  return items;
}

/** One rule per IpPermission, sources flattened; `-1` (all traffic) carries no ports. */
function toRules(permissions: readonly IpPermission[] | undefined): SecurityGroupRule[] {
  return (permissions ?? []).map((p) =>
    compact({
      ipProtocol: p.IpProtocol ?? "-1",
      fromPort: p.FromPort,
      toPort: p.ToPort,
      cidrIpv4: (p.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : [])),
      cidrIpv6: (p.Ipv6Ranges ?? []).flatMap((r) => (r.CidrIpv6 ? [r.CidrIpv6] : [])),
      sourceGroupIds: (p.UserIdGroupPairs ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
      prefixListIds: (p.PrefixListIds ?? []).flatMap((l) => (l.PrefixListId ? [l.PrefixListId] : [])),
    }),
  );
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
