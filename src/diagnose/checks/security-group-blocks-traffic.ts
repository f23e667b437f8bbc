import type { NetworkData } from "../../evidence/schema";
import { shortName } from "../template";
import type { EvidenceRef } from "../types";
import type { Check, CheckHit } from "./check";
import { currentTaskDefinition, listOf, stepData } from "./evidence-access";

type SecurityGroup = NetworkData["securityGroups"][number];
type Rule = SecurityGroup["ingress"][number];

/**
 * Step 6 — the security groups do not let the load balancer reach the task port (awsvpc only, where each task
 * has its own ENI and security groups):
 * - no ingress rule on any task security group admits TCP on the container port (and on an explicit
 *   health-check port) from one of the load balancer's security groups, from any CIDR or prefix list (the load
 *   balancer's private IPs are unknown here, so any address range counts as possibly admitting it), or for all
 *   protocols (`-1`);
 * - no egress rule on the load balancer's security groups lets it out to the task security groups on that port.
 * Judged only with the data to judge it: every task and load-balancer security group read, and load balancers
 * that have security groups (a Network Load Balancer without any passes client IPs through: skipped).
 */
export const securityGroupBlocksTrafficCheck: Check = {
  id: "security-group-blocks-traffic",
  step: "network-ports",
  run(ctx) {
    const network = stepData(ctx.evidence, "network-ports");
    if (!network) return [];
    const mode = network.networkMode ?? currentTaskDefinition(ctx.evidence)?.networkMode;
    if (mode !== "awsvpc") return [];
    const groups = new Map(network.securityGroups.map((g) => [g.groupId, g]));
    const taskGroupIds = network.serviceSecurityGroups;
    if (taskGroupIds.length === 0 || !taskGroupIds.every((id) => groups.has(id))) return [];
    const taskGroups = taskGroupIds.map((id) => groups.get(id)!);

    const hits: CheckHit[] = [];
    for (const binding of network.bindings) {
      if (binding.containerPort === undefined || binding.loadBalancerArns.length === 0) continue;
      const lbs = binding.loadBalancerArns.map((arn) => network.loadBalancers.find((lb) => lb.loadBalancerArn === arn));
      if (lbs.some((lb) => lb === undefined)) continue; // DescribeLoadBalancers failed: cannot tell
      const loadBalancers = lbs.filter((lb): lb is NonNullable<typeof lb> => lb !== undefined);
      if (loadBalancers.some((lb) => lb.securityGroups.length === 0)) continue; // NLB without security groups
      const lbGroupIds = [...new Set(loadBalancers.flatMap((lb) => lb.securityGroups))];

      const ports = [binding.containerPort];
      if (
        binding.healthCheckPort &&
        /^\d+$/.test(binding.healthCheckPort) &&
        Number(binding.healthCheckPort) !== binding.containerPort
      ) {
        ports.push(Number(binding.healthCheckPort));
      }
      const vars = {
        targetGroup: shortName(binding.targetGroupArn),
        loadBalancer: listOf(
          loadBalancers.map((lb) => lb.loadBalancerName ?? shortName(lb.loadBalancerArn) ?? lb.loadBalancerArn),
        ),
        taskSecurityGroups: listOf(taskGroups.map(describeGroup)),
        lbSecurityGroups: listOf(lbGroupIds.map((id) => (groups.has(id) ? describeGroup(groups.get(id)!) : id))),
        containerPort: String(binding.containerPort),
      };

      const blockedIn = ports.filter(
        (port) => !taskGroups.some((g) => g.ingress.some((r) => admits(r, port, lbGroupIds))),
      );
      if (blockedIn.length > 0) {
        hits.push({
          check: "security-group-blocks-traffic",
          step: "network-ports",
          vars: { ...vars, ports: listOf(blockedIn.map(String)) },
          evidence: taskGroups.map((g) => groupRef(g, "ingress")),
        });
        continue;
      }

      // Egress of the load balancer's groups, when all of them were read (the default egress rule allows all).
      if (!lbGroupIds.every((id) => groups.has(id))) continue;
      const lbGroups = lbGroupIds.map((id) => groups.get(id)!);
      const blockedOut = ports.filter(
        (port) => !lbGroups.some((g) => g.egress.some((r) => admits(r, port, taskGroupIds))),
      );
      if (blockedOut.length > 0) {
        hits.push({
          check: "security-group-blocks-traffic.lb-egress",
          step: "network-ports",
          vars: { ...vars, ports: listOf(blockedOut.map(String)) },
          evidence: lbGroups.map((g) => groupRef(g, "egress")),
        });
      }
    }
    return hits;
  },
};

/** Whether a rule lets TCP `port` through from (ingress) or to (egress) one of `peers`, or any address range. */
function admits(rule: Rule, port: number, peers: readonly string[]): boolean {
  const protocol = rule.ipProtocol.toLowerCase();
  if (protocol !== "-1" && protocol !== "tcp" && protocol !== "6") return false;
  if (protocol !== "-1" && rule.fromPort !== undefined && rule.toPort !== undefined && rule.fromPort !== -1) {
    if (port < rule.fromPort || port > rule.toPort) return false;
  }
  return (
    rule.sourceGroupIds.some((id) => peers.includes(id)) ||
    rule.cidrIpv4.length > 0 ||
    rule.cidrIpv6.length > 0 ||
    rule.prefixListIds.length > 0
  );
}

function describeGroup(group: SecurityGroup): string {
  return group.groupName ? `${group.groupId} (${group.groupName})` : group.groupId;
}

function groupRef(group: SecurityGroup, direction: "ingress" | "egress"): EvidenceRef {
  const rules = group[direction];
  const text =
    rules.length === 0
      ? `${describeGroup(group)}: no ${direction} rules`
      : `${describeGroup(group)} ${direction}: ${rules.slice(0, 6).map(describeRule).join("; ")}${rules.length > 6 ? "; …" : ""}`;
  return { step: "network-ports", kind: "config", id: group.groupId, text };
}

function describeRule(rule: Rule): string {
  const protocol =
    rule.ipProtocol === "-1"
      ? "all traffic"
      : rule.fromPort === rule.toPort
        ? `${rule.ipProtocol} ${rule.fromPort ?? "all"}`
        : `${rule.ipProtocol} ${rule.fromPort}-${rule.toPort}`;
  const peers = [...rule.sourceGroupIds, ...rule.cidrIpv4, ...rule.cidrIpv6, ...rule.prefixListIds];
  return `${protocol} ${peers.length > 0 ? peers.join(", ") : "nowhere"}`;
}
