import { targetHealthEntry } from "../../steps/04-target-health";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { awsCall } from "../../aws/aws-call";
import { dedupeErrors, toStepError } from "../../aws/step-error";
import type { StepError, TargetHealthData } from "../../evidence/schema";
import { compact } from "../convert";
import { outcome, skipped, type Step } from "../step";

type TargetGroupHealth = TargetHealthData["targetGroups"][number];
type TargetHealth = TargetGroupHealth["targets"][number];

/**
 * Step 4 — what the load balancer thinks of the service's tasks.
 *
 * Reads the service's target groups (the shared DescribeTargetGroups lookup: health-check protocol, port, path,
 * matcher) and DescribeTargetHealth for each, concurrently: every target's state with its reason code and
 * description (`Target.ResponseCodeMismatch` "Health checks failed with these codes: [404]", …). One target
 * group that cannot be read is recorded on that group and the others still count. A group that could not be
 * described (deleted: TargetGroupNotFoundException; or denied) is still asked for its targets' health, with the
 * describe error kept in its `describeError`. The step fails as a whole only when no read answered for any group.
 * `draining` and `initial` targets are normal during a deployment; judging that is the diagnosis's job.
 */
export const targetHealthStep: Step<"target-health"> = {
  ...targetHealthEntry,
  async collect(ctx) {
    const bindings = ctx.service.loadBalancers.filter((lb) => lb.targetGroupArn);
    if (bindings.length === 0) {
      return skipped(
        ctx.service.loadBalancers.length > 0
          ? "the service uses a Classic Load Balancer (no target groups)"
          : "the service has no load balancer",
      );
    }
    const { groups, failed } = await ctx.targetGroups();
    const byArn = new Map(groups.map((tg) => [tg.targetGroupArn, tg]));
    const describeErrors = new Map(failed.map((f) => [f.targetGroupArn, f.error]));
    const arns = [...new Set(bindings.map((lb) => lb.targetGroupArn!))];

    const targetGroups = await Promise.all(
      arns.map(async (arn): Promise<TargetGroupHealth> => {
        const binding = bindings.find((lb) => lb.targetGroupArn === arn);
        const describeError = describeErrors.get(arn);
        const base = compact({
          ...(byArn.get(arn) ?? { targetGroupArn: arn }),
          containerName: binding?.containerName,
          containerPort: binding?.containerPort,
          describeError,
        });
        try {
          const response = await awsCall("elasticloadbalancing:DescribeTargetHealth", () =>
            ctx.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
          );
          const targets = (response.TargetHealthDescriptions ?? []).map((d): TargetHealth =>
            compact({
              id: d.Target?.Id ?? "",
              port: d.Target?.Port,
              availabilityZone: d.Target?.AvailabilityZone,
              // AWS always sends State; "unknown" only guards a malformed answer.
              state: d.TargetHealth?.State ?? "unknown",
              reason: d.TargetHealth?.Reason,
              description: d.TargetHealth?.Description,
            }),
          );
          return { ...base, targets };
        } catch (error) {
          return { ...base, targets: [], error: toStepError(error) };
        }
      }),
    );

    // Nothing answered for any group: no evidence, only the reason. Fail with the describe error, which says the
    // most (the runner records it).
    if (targetGroups.every((g) => g.describeError && g.error) && failed[0]) throw failed[0].cause;

    const errors = dedupeErrors(
      targetGroups.flatMap((g) => [g.describeError, g.error].filter((e): e is StepError => e !== undefined)),
    );
    return outcome<TargetHealthData>({ targetGroups }, errors);
  },
};
