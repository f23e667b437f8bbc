import { DescribeTargetGroupsCommand, type ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsCall, chunk } from "../../aws/aws-call";
import type { Service, TargetGroup } from "../../evidence/schema";
import { toTargetGroup } from "../convert";

/** The target groups named in service.loadBalancers (DescribeTargetGroups takes up to 20 ARNs per page). */
export async function loadTargetGroups(elbv2: ElasticLoadBalancingV2Client, service: Service): Promise<TargetGroup[]> {
  const arns = [...new Set(service.loadBalancers.flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])))];
  if (arns.length === 0) return [];
  const pages = await Promise.all(
    chunk(arns, 20).map((TargetGroupArns) =>
      awsCall("elasticloadbalancing:DescribeTargetGroups", () =>
        elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns })),
      ),
    ),
  );
  return pages.flatMap((p) => p.TargetGroups ?? []).map(toTargetGroup);
}
