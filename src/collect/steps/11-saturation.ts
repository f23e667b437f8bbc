import { saturationEntry, targetGroupName } from "../../steps/11-saturation";
import { paginateGetMetricData, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { awsCall, collectPages } from "../../aws/aws-call";
import { dedupeErrors } from "../../aws/step-error";
import type { SaturationData, StepError, TargetGroup } from "../../evidence/schema";
import { iso, windowDates } from "../../time-window";
import { outcome, type Step } from "../step";

type Series = SaturationData["series"][number];
type QuerySpec = Omit<Series, "points" | "statusCode">;

/** Windows up to 3 h get 1-minute points, longer ones 5-minute points (at most 2 016 for a 7-day window). */
const FINE_WINDOW_MS = 3 * 3600 * 1000;
/** GetMetricData pages when a call would return more than ~100 800 points; this many pages is far beyond need. */
const MAX_PAGES = 10;
/** A service has at most 5 load-balancer entries. */
const MAX_TARGET_GROUPS = 5;

/**
 * Supporting step — is the service short of task capacity? One GetMetricData call over the window for the
 * service's CPU and memory (AWS/ECS, average and maximum) and, per ALB target group, requests per target,
 * p95 target response time and target 5xx (AWS/ApplicationELB). This is what the emergency-scale decision
 * rests on. When the target groups cannot be read, the ECS metrics are still collected.
 */
export const saturationStep: Step<"saturation"> = {
  ...saturationEntry,
  async collect(ctx) {
    const { groups: targetGroups, failed } = await ctx.targetGroups();
    const errors: StepError[] = dedupeErrors(failed.map((f) => f.error));

    const { since, until } = windowDates(ctx.window);
    const periodSeconds = until.getTime() - since.getTime() <= FINE_WINDOW_MS ? 60 : 300;
    const ecsDimensions = { ClusterName: ctx.target.cluster, ServiceName: ctx.target.service };
    const specs: QuerySpec[] = [
      metric("cpu_avg", "CPU average (%)", "AWS/ECS", "CPUUtilization", "Average", ecsDimensions),
      metric("cpu_max", "CPU maximum (%)", "AWS/ECS", "CPUUtilization", "Maximum", ecsDimensions),
      metric("mem_avg", "Memory average (%)", "AWS/ECS", "MemoryUtilization", "Average", ecsDimensions),
      metric("mem_max", "Memory maximum (%)", "AWS/ECS", "MemoryUtilization", "Maximum", ecsDimensions),
      ...targetGroups.slice(0, MAX_TARGET_GROUPS).flatMap(targetGroupMetrics),
    ];

    const { items: results } = await awsCall("cloudwatch:GetMetricData", () =>
      collectPages(
        paginateGetMetricData(
          { client: ctx.clients.cloudwatch },
          {
            MetricDataQueries: specs.map(toQuery(periodSeconds)),
            StartTime: since,
            EndTime: until,
            ScanBy: "TimestampAscending",
          },
        ),
        (page) => page.MetricDataResults,
        { maxPages: MAX_PAGES },
      ),
    );
    // A series spans pages: each page carries a slice of its points, in page order.
    const merged = new Map<string, { points: Series["points"]; statusCode?: string | undefined }>();
    for (const result of results) {
      if (!result.Id) continue;
      const entry = merged.get(result.Id) ?? { points: [] };
      const timestamps = result.Timestamps ?? [];
      const values = result.Values ?? [];
      for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
        entry.points.push({ timestamp: iso(timestamps[i]!), value: values[i]! });
      }
      // Each page says whether more is to come for this id; the last page's word stands.
      entry.statusCode = result.StatusCode ?? entry.statusCode;
      merged.set(result.Id, entry);
    }

    const series: Series[] = specs.map((spec) => {
      const entry = merged.get(spec.id);
      const points = [...(entry?.points ?? [])].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      return entry?.statusCode === undefined ? { ...spec, points } : { ...spec, points, statusCode: entry.statusCode };
    });
    const data: SaturationData = { periodSeconds, series };
    return outcome(data, errors);
  },
};

function metric(
  id: string,
  label: string,
  namespace: string,
  metricName: string,
  stat: string,
  dimensions: Record<string, string>,
): QuerySpec {
  return { id, label, namespace, metricName, stat, dimensions };
}

/**
 * ALB metrics for one target group. CloudWatch names resources by ARN suffix: `targetgroup/name/id` and
 * `app/name/id`. Response time and target 5xx are published per TargetGroup *and* LoadBalancer, so they need
 * the load balancer; target groups behind no ALB (unattached, or a Network Load Balancer) get none.
 */
function targetGroupMetrics(tg: TargetGroup, index: number): QuerySpec[] {
  const targetGroup = targetGroupDimension(tg.targetGroupArn);
  const alb = tg.loadBalancerArns.find((arn) => arn.includes(":loadbalancer/app/"));
  if (!targetGroup || !alb) return [];
  const loadBalancer = loadBalancerDimension(alb);
  const name = tg.targetGroupName ?? targetGroupName(targetGroup) ?? `tg${index}`;
  const id = `tg${index}`;
  return [
    metric(`${id}_rpt`, `${name} requests per target`, "AWS/ApplicationELB", "RequestCountPerTarget", "Sum", {
      TargetGroup: targetGroup,
    }),
    metric(`${id}_p95`, `${name} p95 response time (s)`, "AWS/ApplicationELB", "TargetResponseTime", "p95", {
      TargetGroup: targetGroup,
      LoadBalancer: loadBalancer,
    }),
    metric(`${id}_5xx`, `${name} target 5xx`, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", {
      TargetGroup: targetGroup,
      LoadBalancer: loadBalancer,
    }),
  ];
}

function toQuery(period: number): (spec: QuerySpec) => MetricDataQuery {
  return (spec) => ({
    Id: spec.id,
    Label: spec.label,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: spec.namespace,
        MetricName: spec.metricName,
        Dimensions: Object.entries(spec.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: spec.stat,
    },
  });
}

/** `arn:…:targetgroup/payment-api-tg/0123abcd` → `targetgroup/payment-api-tg/0123abcd` (CloudWatch's TargetGroup). */
function targetGroupDimension(arn: string): string | undefined {
  const at = arn.indexOf(":targetgroup/");
  return at < 0 ? undefined : arn.slice(at + 1);
}

/** `arn:…:loadbalancer/app/prod-alb/50dc6c49` → `app/prod-alb/50dc6c49` (CloudWatch's LoadBalancer). */
function loadBalancerDimension(arn: string): string {
  return arn.slice(arn.indexOf(":loadbalancer/") + ":loadbalancer/".length);
}
