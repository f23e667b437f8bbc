import { describe, expect, it } from "vitest";
import { securityGroupBlocksTrafficCheck } from "../../../src/diagnose/checks/security-group-blocks-traffic";
import {
  ALB_SG,
  context,
  evidence,
  ids,
  LOAD_BALANCER_ARN,
  networkData,
  rule,
  securityGroup,
  TARGET_GROUP_ARN,
  TASK_SG,
  type EvidenceOptions,
} from "./fixture";

const albIngress = securityGroup(ALB_SG, [rule({ fromPort: 443, toPort: 443, cidrIpv4: ["0.0.0.0/0"] })]);
const withTaskIngress = (...ingress: ReturnType<typeof rule>[]): EvidenceOptions => ({
  steps: { "network-ports": networkData({ securityGroups: [securityGroup(TASK_SG, ingress), albIngress] }) },
});
const binding = (healthCheckPort: string) => ({
  targetGroupArn: TARGET_GROUP_ARN,
  containerName: "app",
  containerPort: 8080,
  targetGroupPort: 8080,
  healthCheckPort,
  loadBalancerArns: [LOAD_BALANCER_ARN],
});

const cases: Array<{ case: string; options: EvidenceOptions; expected: string[]; ports?: string }> = [
  {
    case: "task SG admits only 3000 from the ALB while the container port is 8080",
    options: withTaskIngress(rule({ fromPort: 3000, toPort: 3000, sourceGroupIds: [ALB_SG] })),
    expected: ["security-group-blocks-traffic"],
    ports: "8080",
  },
  {
    case: "task SG admits 8080 from an unrelated security group only",
    options: withTaskIngress(rule({ sourceGroupIds: ["sg-0bastion000000001"] })),
    expected: ["security-group-blocks-traffic"],
    ports: "8080",
  },
  {
    case: "task SG has no ingress rules at all",
    options: withTaskIngress(),
    expected: ["security-group-blocks-traffic"],
  },
  {
    case: "the explicit health-check port 8081 is not admitted",
    options: {
      steps: {
        "network-ports": networkData({
          bindings: [binding("8081")],
          securityGroups: [securityGroup(TASK_SG, [rule({ sourceGroupIds: [ALB_SG] })]), albIngress],
        }),
      },
    },
    expected: ["security-group-blocks-traffic"],
    ports: "8081",
  },
  {
    case: "the ALB's security group has no egress to the tasks",
    options: {
      steps: {
        "network-ports": networkData({
          securityGroups: [
            securityGroup(TASK_SG, [rule({ sourceGroupIds: [ALB_SG] })]),
            securityGroup(ALB_SG, albIngress.ingress, [rule({ fromPort: 443, toPort: 443, cidrIpv4: ["10.0.0.0/8"] })]),
          ],
        }),
      },
    },
    expected: ["security-group-blocks-traffic.lb-egress"],
  },
  {
    case: "admitted from the ALB security group",
    options: withTaskIngress(rule({ sourceGroupIds: [ALB_SG] })),
    expected: [],
  },
  {
    case: "admitted by a port range from the ALB",
    options: withTaskIngress(rule({ fromPort: 1024, toPort: 65535, sourceGroupIds: [ALB_SG] })),
    expected: [],
  },
  {
    case: "admitted from a VPC CIDR (the ALB's IPs are unknown: any CIDR counts)",
    options: withTaskIngress(rule({ cidrIpv4: ["10.0.0.0/16"] })),
    expected: [],
  },
  {
    case: "admitted by an all-traffic rule from the ALB",
    options: withTaskIngress(
      rule({ ipProtocol: "-1", fromPort: undefined, toPort: undefined, sourceGroupIds: [ALB_SG] }),
    ),
    expected: [],
  },
  {
    case: "a UDP rule on 8080 does not count",
    options: withTaskIngress(rule({ ipProtocol: "udp", sourceGroupIds: [ALB_SG] })),
    expected: ["security-group-blocks-traffic"],
  },
  {
    case: "not applicable: bridge network mode",
    options: { steps: { "network-ports": networkData({ networkMode: "bridge", securityGroups: [] }) } },
    expected: [],
  },
  {
    case: "not applicable: a Network Load Balancer without security groups",
    options: {
      steps: {
        "network-ports": networkData({
          loadBalancers: [
            {
              loadBalancerArn: LOAD_BALANCER_ARN,
              loadBalancerName: "prod-nlb",
              type: "network",
              scheme: "internal",
              securityGroups: [],
            },
          ],
          securityGroups: [securityGroup(TASK_SG, [])],
        }),
      },
    },
    expected: [],
  },
  {
    case: "not applicable: DescribeSecurityGroups failed (no groups read)",
    options: {
      steps: {
        "network-ports": networkData({
          securityGroups: [],
          errors: [
            {
              kind: "access_denied",
              code: "UnauthorizedOperation",
              operation: "ec2:DescribeSecurityGroups",
              message: "You are not authorized to perform this operation.",
              hint: "grant ec2:DescribeSecurityGroups",
            },
          ],
        }),
      },
    },
    expected: [],
  },
  {
    case: "not applicable: DescribeLoadBalancers failed",
    options: {
      steps: { "network-ports": networkData({ loadBalancers: [], securityGroups: [securityGroup(TASK_SG, [])] }) },
    },
    expected: [],
  },
  { case: "not applicable: no network step", options: { steps: {} }, expected: [] },
];

describe("security-group-blocks-traffic check", () => {
  it.each(cases)("$case", ({ options, expected, ports }) => {
    const hits = securityGroupBlocksTrafficCheck.run(context(evidence(options)));
    expect(ids(hits)).toEqual(expected);
    if (ports) expect(hits[0]!.vars["ports"]).toBe(ports);
  });

  it("names the groups and their rules in the evidence", () => {
    const [hit] = securityGroupBlocksTrafficCheck.run(
      context(evidence(withTaskIngress(rule({ fromPort: 3000, toPort: 3000, sourceGroupIds: [ALB_SG] })))),
    );
    expect(hit!.vars).toMatchObject({
      taskSecurityGroups: `${TASK_SG} (payment-api-tasks)`,
      lbSecurityGroups: `${ALB_SG} (prod-alb)`,
      loadBalancer: "prod-alb",
    });
    expect(hit!.evidence[0]!.text).toContain(`tcp 3000 ${ALB_SG}`);
  });
});
