import {
  paginateDescribeLoadBalancers,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsCall, chunk, collectPages } from "../../aws/aws-call";
import { toStepError } from "../../aws/step-error";
import type { NetworkData } from "../../evidence/schema";
import { compact } from "../convert";
import type { LoadBalancers, TargetGroups } from "../step";

/** DescribeLoadBalancers takes at most 20 ARNs per request. */
const DESCRIBE_BATCH = 20;
/** Pages read at most per request (with explicit ARNs AWS answers in one). */
const MAX_PAGES = 10;

/**
 * The load balancers in front of the service's target groups (type, scheme, VPC, security groups), described once
 * for step 6 (the security-group path) and step 10 (the resources whose changes matter). Never rejects: a failed
 * read is returned as `error`, the ARNs stay known from the target groups.
 */
export async function loadLoadBalancers(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroups: Promise<TargetGroups>,
): Promise<LoadBalancers> {
  const { groups } = await targetGroups;
  const arns = [...new Set(groups.flatMap((tg) => tg.loadBalancerArns))];
  if (arns.length === 0) return { arns, loadBalancers: [] };
  try {
    const pages = await Promise.all(
      chunk(arns, DESCRIBE_BATCH).map((LoadBalancerArns) =>
        awsCall("elasticloadbalancing:DescribeLoadBalancers", () =>
          collectPages(paginateDescribeLoadBalancers({ client: elbv2 }, { LoadBalancerArns }), (p) => p.LoadBalancers, {
            maxPages: MAX_PAGES,
          }),
        ),
      ),
    );
    return { arns, loadBalancers: pages.flatMap((p) => p.items).map(toLoadBalancer) };
  } catch (error) {
    return { arns, loadBalancers: [], error: toStepError(error, "elasticloadbalancing:DescribeLoadBalancers") };
  }
}

function toLoadBalancer(lb: LoadBalancer): NetworkData["loadBalancers"][number] {
  return compact({
    loadBalancerArn: lb.LoadBalancerArn ?? "",
    loadBalancerName: lb.LoadBalancerName,
    type: lb.Type,
    scheme: lb.Scheme,
    vpcId: lb.VpcId,
    // Network Load Balancers created without security groups have none: traffic arrives from the client IPs.
    securityGroups: lb.SecurityGroups ?? [],
  });
}
