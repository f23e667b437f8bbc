import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup as SdkTargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsCall, chunk } from "../../aws/aws-call";
import { awsErrorName, toStepError } from "../../aws/step-error";
import type { Service, TargetGroup } from "../../evidence/schema";
import { toTargetGroup } from "../convert";
import type { TargetGroups } from "../step";

/** DescribeTargetGroups takes up to 20 ARNs per request. */
const DESCRIBE_BATCH = 20;

type Failed = TargetGroups["failed"][number];

/**
 * The target groups named in service.loadBalancers, described in batches of 20.
 *
 * One deleted target group fails its whole batch ("TargetGroupNotFoundException: One or more target groups not
 * found"), so a batch that fails that way is described again one ARN at a time: the groups that still exist
 * survive and only the missing one is recorded in `failed`. Any other failure (AccessDenied, throttling) applies
 * to every ARN of the batch and is recorded for each without retrying. Never rejects for an AWS failure.
 */
export async function loadTargetGroups(elbv2: ElasticLoadBalancingV2Client, service: Service): Promise<TargetGroups> {
  const arns = [...new Set(service.loadBalancers.flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])))];
  const describe = (TargetGroupArns: string[]) =>
    awsCall("elasticloadbalancing:DescribeTargetGroups", () =>
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns })),
    );

  const described: SdkTargetGroup[] = [];
  const failed: Failed[] = [];
  const fail = (batch: readonly string[], error: unknown) => {
    const stepError = toStepError(error, "elasticloadbalancing:DescribeTargetGroups");
    for (const targetGroupArn of batch) failed.push({ targetGroupArn, error: stepError, cause: error });
  };

  await Promise.all(
    chunk(arns, DESCRIBE_BATCH).map(async (batch) => {
      try {
        described.push(...((await describe(batch)).TargetGroups ?? []));
      } catch (error) {
        if (batch.length === 1 || awsErrorName(error) !== "TargetGroupNotFoundException") return fail(batch, error);
        await Promise.all(
          batch.map(async (arn) => {
            try {
              described.push(...((await describe([arn])).TargetGroups ?? []));
            } catch (single) {
              fail([arn], single);
            }
          }),
        );
      }
    }),
  );

  // Concurrent answers arrive in any order: keep service.loadBalancers order.
  const order = (arn: string) => arns.indexOf(arn);
  const groups: TargetGroup[] = described
    .map(toTargetGroup)
    .sort((a, b) => order(a.targetGroupArn) - order(b.targetGroupArn));
  return { groups, failed: failed.sort((a, b) => order(a.targetGroupArn) - order(b.targetGroupArn)) };
}
