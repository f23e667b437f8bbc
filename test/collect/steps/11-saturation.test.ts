import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from "@aws-sdk/client-cloudwatch";
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { toStepError } from "../../../src/aws/step-error";
import { saturationStep } from "../../../src/collect/steps/11-saturation";
import { SaturationDataSchema } from "../../../src/evidence/schema";
import { ACCOUNT, CLUSTER, NOW, REGION, SERVICE, minutesAgo, sdkService, sdkTargetGroup } from "../../fixtures/aws";
import { accessDenied, throttled } from "../../fixtures/errors";
import { makeContext, type ContextOptions } from "../../helpers/context";

const cloudwatch = mockClient(CloudWatchClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);

const TG_DIMENSION = "targetgroup/payment-api-tg/0123456789abcdef";
const LB_DIMENSION = "app/prod-alb/50dc6c495c0c9188";
const ECS_DIMENSIONS = [
  { Name: "ClusterName", Value: CLUSTER },
  { Name: "ServiceName", Value: SERVICE },
];

/** A MetricDataResult as GetMetricData returns it with ScanBy TimestampAscending: points at `minutes` ago. */
function result(
  Id: string,
  Label: string,
  points: Array<[minutes: number, value: number]>,
  StatusCode: MetricDataResult["StatusCode"] = "Complete",
): MetricDataResult {
  return {
    Id,
    Label,
    Timestamps: points.map(([m]) => minutesAgo(m)),
    Values: points.map(([, v]) => v),
    StatusCode,
    Messages: [],
  };
}

const page = (results: MetricDataResult[], NextToken?: string) => ({
  $metadata: { httpStatusCode: 200 },
  MetricDataResults: results,
  Messages: [],
  ...(NextToken ? { NextToken } : {}),
});

async function collect(options: ContextOptions = {}) {
  const result = await saturationStep.collect(makeContext(options));
  if (result.status === "skipped") throw new Error("unexpected skip");
  SaturationDataSchema.parse(result.data);
  return result;
}

describe("saturation", () => {
  beforeEach(() => {
    cloudwatch.reset();
    elbv2.reset();
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [sdkTargetGroup()] });
  });

  it("reads ECS CPU/memory and the target group's load in one GetMetricData call, oldest point first", async () => {
    cloudwatch.on(GetMetricDataCommand).resolves(
      page([
        result("cpu_avg", "CPU average (%)", [
          [3, 88.2],
          [2, 90.5],
          [1, 91.4],
        ]),
        result("cpu_max", "CPU maximum (%)", [
          [3, 97.9],
          [2, 99.6],
          [1, 98.1],
        ]),
        result("mem_avg", "Memory average (%)", [
          [3, 58.1],
          [2, 59.8],
          [1, 60.2],
        ]),
        result("mem_max", "Memory maximum (%)", [
          [3, 69.5],
          [2, 71.3],
          [1, 70.8],
        ]),
        result("tg0_rpt", "payment-api-tg requests per target", [
          [3, 310],
          [2, 352],
          [1, 348],
        ]),
        result("tg0_p95", "payment-api-tg p95 response time (s)", [
          [3, 0.84],
          [2, 1.243],
          [1, 1.19],
        ]),
        // A metric with no datapoints in the window (no 5xx at all) comes back empty and Complete.
        result("tg0_5xx", "payment-api-tg target 5xx", []),
      ]),
    );

    const out = await collect();

    expect(out.status).toBe("collected");
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      StartTime: new Date("2026-11-26T09:00:00Z"),
      EndTime: new Date(NOW),
      ScanBy: "TimestampAscending",
    });
    expect(input.MetricDataQueries).toEqual([
      {
        Id: "cpu_avg",
        Label: "CPU average (%)",
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: "AWS/ECS", MetricName: "CPUUtilization", Dimensions: ECS_DIMENSIONS },
          Period: 60,
          Stat: "Average",
        },
      },
      {
        Id: "cpu_max",
        Label: "CPU maximum (%)",
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: "AWS/ECS", MetricName: "CPUUtilization", Dimensions: ECS_DIMENSIONS },
          Period: 60,
          Stat: "Maximum",
        },
      },
      {
        Id: "mem_avg",
        Label: "Memory average (%)",
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: "AWS/ECS", MetricName: "MemoryUtilization", Dimensions: ECS_DIMENSIONS },
          Period: 60,
          Stat: "Average",
        },
      },
      {
        Id: "mem_max",
        Label: "Memory maximum (%)",
        ReturnData: true,
        MetricStat: {
          Metric: { Namespace: "AWS/ECS", MetricName: "MemoryUtilization", Dimensions: ECS_DIMENSIONS },
          Period: 60,
          Stat: "Maximum",
        },
      },
      {
        Id: "tg0_rpt",
        Label: "payment-api-tg requests per target",
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: "AWS/ApplicationELB",
            MetricName: "RequestCountPerTarget",
            Dimensions: [{ Name: "TargetGroup", Value: TG_DIMENSION }],
          },
          Period: 60,
          Stat: "Sum",
        },
      },
      {
        Id: "tg0_p95",
        Label: "payment-api-tg p95 response time (s)",
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: "AWS/ApplicationELB",
            MetricName: "TargetResponseTime",
            Dimensions: [
              { Name: "TargetGroup", Value: TG_DIMENSION },
              { Name: "LoadBalancer", Value: LB_DIMENSION },
            ],
          },
          Period: 60,
          Stat: "p95",
        },
      },
      {
        Id: "tg0_5xx",
        Label: "payment-api-tg target 5xx",
        ReturnData: true,
        MetricStat: {
          Metric: {
            Namespace: "AWS/ApplicationELB",
            MetricName: "HTTPCode_Target_5XX_Count",
            Dimensions: [
              { Name: "TargetGroup", Value: TG_DIMENSION },
              { Name: "LoadBalancer", Value: LB_DIMENSION },
            ],
          },
          Period: 60,
          Stat: "Sum",
        },
      },
    ]);
    expect(out.data.periodSeconds).toBe(60);
    expect(out.data.series[0]).toEqual({
      id: "cpu_avg",
      label: "CPU average (%)",
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      stat: "Average",
      dimensions: { ClusterName: CLUSTER, ServiceName: SERVICE },
      points: [
        { timestamp: "2026-11-26T09:57:00Z", value: 88.2 },
        { timestamp: "2026-11-26T09:58:00Z", value: 90.5 },
        { timestamp: "2026-11-26T09:59:00Z", value: 91.4 },
      ],
      statusCode: "Complete",
    });
    expect(out.data.series[5]!.dimensions).toEqual({ TargetGroup: TG_DIMENSION, LoadBalancer: LB_DIMENSION });
    expect(out.data.series[6]!.points).toEqual([]);
    expect(saturationStep.summarize(out.data)).toBe(
      "CPU latest 91%, peak 100%; memory latest 60%, peak 71%; payment-api-tg: peak 352 req/target per 60 s, p95 peak 1.24 s, 0 target 5xx",
    );
  });

  it("merges pages per id, including an empty page that carries a token, and keeps the last status", async () => {
    const seen: Array<string | undefined> = [];
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      seen.push(input.NextToken);
      switch (input.NextToken) {
        case undefined:
          return page(
            [
              result(
                "cpu_avg",
                "CPU average (%)",
                [
                  [5, 40],
                  [4, 42],
                ],
                "PartialData",
              ),
              result("tg0_5xx", "payment-api-tg target 5xx", [[5, 3]], "PartialData"),
            ],
            "tok-AAEAAXh2YQ",
          );
        case "tok-AAEAAXh2YQ":
          return page([], "tok-AAEAAXh2Yg");
        default:
          return page([
            result("cpu_avg", "CPU average (%)", [
              [3, 44],
              [2, 47],
            ]),
            result("tg0_5xx", "payment-api-tg target 5xx", [[2, 14]]),
          ]);
      }
    });

    const out = await collect();

    expect(seen).toEqual([undefined, "tok-AAEAAXh2YQ", "tok-AAEAAXh2Yg"]);
    const cpu = out.data.series.find((s) => s.id === "cpu_avg")!;
    expect(cpu.points.map((p) => p.value)).toEqual([40, 42, 44, 47]);
    expect(cpu.statusCode).toBe("Complete");
    expect(out.data.series.find((s) => s.id === "tg0_5xx")!.points.map((p) => p.value)).toEqual([3, 14]);
    // Ids the answer never mentioned stay present, empty, with no status invented.
    expect(out.data.series.find((s) => s.id === "mem_max")).toMatchObject({ points: [] });
    expect(out.data.series.find((s) => s.id === "mem_max")).not.toHaveProperty("statusCode");
    expect(saturationStep.summarize(out.data)).toBe("CPU latest 47%; payment-api-tg: no requests, 17 target 5xx");
  });

  it("stops after a bounded number of pages and keeps PartialData", async () => {
    let n = 0;
    cloudwatch.on(GetMetricDataCommand).callsFake(() => {
      n += 1;
      return page([result("cpu_avg", "CPU average (%)", [[60 - n, n]], "PartialData")], `tok-${n}`);
    });

    const out = await collect();

    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 10);
    const cpu = out.data.series.find((s) => s.id === "cpu_avg")!;
    expect(cpu.points).toHaveLength(10);
    expect(cpu.statusCode).toBe("PartialData");
    expect(saturationStep.summarize(out.data)).toContain("(1 series partial)");
  });

  it.each([
    { case: "exactly 3 hours", since: "2026-11-26T07:00:00Z", period: 60 },
    { case: "6 hours", since: "2026-11-26T04:00:00Z", period: 300 },
    { case: "7 days", since: "2026-11-19T10:00:00Z", period: 300 },
  ])("uses $period-second points for a window of $case", async ({ since, period }) => {
    cloudwatch.on(GetMetricDataCommand).resolves(page([]));

    const out = await collect({ window: { since, until: NOW } });

    expect(out.data.periodSeconds).toBe(period);
    const queries = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input.MetricDataQueries ?? [];
    expect(new Set(queries.map((q) => q.MetricStat?.Period))).toEqual(new Set([period]));
  });

  it("queries only the ECS metrics when the service has no target group", async () => {
    cloudwatch.on(GetMetricDataCommand).resolves(page([]));

    const out = await collect({ service: sdkService({ loadBalancers: [] }) });

    expect(out.status).toBe("collected");
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 0);
    expect(out.data.series.map((s) => s.id)).toEqual(["cpu_avg", "cpu_max", "mem_avg", "mem_max"]);
    expect(saturationStep.summarize(out.data)).toBe("no CPU/memory datapoints in the window");
  });

  it("skips ALB metrics for a target group behind a Network Load Balancer and keeps ids unique across groups", async () => {
    const nlbTg = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/payment-grpc-tg/fedcba9876543210`;
    const albTg = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/payment-admin-tg/1111222233334444`;
    elbv2.reset();
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        sdkTargetGroup({
          TargetGroupArn: nlbTg,
          TargetGroupName: "payment-grpc-tg",
          Protocol: "TCP",
          LoadBalancerArns: [
            `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/prod-nlb/9f8e7d6c5b4a3921`,
          ],
        }),
        sdkTargetGroup({ TargetGroupArn: albTg, TargetGroupName: "payment-admin-tg" }),
      ],
    });
    cloudwatch.on(GetMetricDataCommand).resolves(page([]));

    const out = await collect({
      service: sdkService({
        loadBalancers: [
          { targetGroupArn: nlbTg, containerName: "app", containerPort: 9090 },
          { targetGroupArn: albTg, containerName: "app", containerPort: 8080 },
        ],
      }),
    });

    expect(out.data.series.map((s) => s.id)).toEqual([
      "cpu_avg",
      "cpu_max",
      "mem_avg",
      "mem_max",
      "tg1_rpt",
      "tg1_p95",
      "tg1_5xx",
    ]);
    expect(out.data.series[4]!.dimensions).toEqual({ TargetGroup: "targetgroup/payment-admin-tg/1111222233334444" });
  });

  it("still reads the ECS metrics when the target groups cannot be read, and is partial", async () => {
    elbv2.reset();
    elbv2.on(DescribeTargetGroupsCommand).rejects(accessDenied("elasticloadbalancing:DescribeTargetGroups"));
    cloudwatch.on(GetMetricDataCommand).resolves(page([result("cpu_avg", "CPU average (%)", [[1, 12]])]));

    const out = await collect();

    expect(out.status).toBe("partial");
    if (out.status !== "partial") throw new Error("expected partial");
    expect(out.errors).toEqual([
      expect.objectContaining({
        kind: "access_denied",
        code: "AccessDenied",
        operation: "elasticloadbalancing:DescribeTargetGroups",
      }),
    ]);
    expect(out.data.series.map((s) => s.id)).toEqual(["cpu_avg", "cpu_max", "mem_avg", "mem_max"]);
  });

  it("keeps absent optional fields absent", async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({
      $metadata: { httpStatusCode: 200 },
      MetricDataResults: [{ Id: "cpu_avg", Label: "CPU average (%)" }],
    });

    const out = await collect();

    expect(out.data.series[0]).toEqual(expect.objectContaining({ id: "cpu_avg", points: [] }));
    expect(out.data.series[0]).not.toHaveProperty("statusCode");
  });

  it.each([
    {
      case: "AccessDenied",
      error: accessDenied("cloudwatch:GetMetricData"),
      kind: "access_denied",
      code: "AccessDenied",
      hint: /^AccessDenied on cloudwatch:GetMetricData — grant it .* emergency-scale decision\)$/,
    },
    {
      case: "throttling",
      error: throttled("cloudwatch"),
      kind: "throttled",
      code: "Throttling",
      hint: /^cloudwatch:GetMetricData was throttled/,
    },
  ])("throws on $case and the error names cloudwatch:GetMetricData", async ({ error, kind, code, hint }) => {
    cloudwatch.on(GetMetricDataCommand).rejects(error);

    const thrown = await saturationStep.collect(makeContext()).catch((e: unknown) => e);

    const stepError = toStepError(thrown);
    expect(stepError).toMatchObject({ kind, code, operation: "cloudwatch:GetMetricData" });
    expect(stepError.hint).toMatch(hint);
  });

  it("has no place in the numbered check order", () => {
    expect(saturationStep.number).toBeNull();
    expect(saturationStep.id).toBe("saturation");
  });
});
