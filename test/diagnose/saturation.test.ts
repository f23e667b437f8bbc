import { describe, expect, it } from "vitest";
import { analyzeSaturation } from "../../src/diagnose/saturation";
import { metricSeries, saturationData, THRESHOLDS } from "./checks/fixture";

const flat = (value: number, n = 15) => Array.from({ length: n }, () => value);
/** 15 readings: five at `from`, five in between, five at `to`. */
const ramp = (from: number, to: number) => [...flat(from, 5), ...flat((from + to) / 2, 5), ...flat(to, 5)];

type Flags = Partial<Record<"cpuHigh" | "memoryHigh" | "requestsRising" | "latencyRising" | "errorsRising", boolean>>;
const NONE: Required<Flags> = {
  cpuHigh: false,
  memoryHigh: false,
  requestsRising: false,
  latencyRising: false,
  errorsRising: false,
};

const cases: Array<{ case: string; series: Parameters<typeof saturationData>[0]; expected: Flags; summary?: RegExp }> =
  [
    {
      case: "CPU at 92% over the newest readings",
      series: [metricSeries("cpu_avg", [...flat(40, 10), 90, 91, 92, 93, 94]), metricSeries("mem_avg", flat(60))],
      expected: { cpuHigh: true },
      summary: /CPU 92% \(high\); memory 60%/,
    },
    {
      case: "CPU peaked earlier but the newest readings are back down",
      series: [metricSeries("cpu_avg", [...flat(95, 10), ...flat(40, 5)])],
      expected: {},
    },
    { case: "memory at the threshold", series: [metricSeries("mem_avg", flat(80))], expected: { memoryHigh: true } },
    {
      case: "Black Friday: requests doubled, p95 ×8, 5xx from none",
      series: [
        metricSeries("tg0_rpt", ramp(1000, 2000)),
        metricSeries("tg0_p95", ramp(0.16, 1.4)),
        metricSeries("tg0_5xx", [...flat(0, 10), 3, 5, 8, 12, 20]),
      ],
      expected: { requestsRising: true, latencyRising: true, errorsRising: true },
      summary: /requests per target ×2\.0 \(rising\); p95 latency ×8\.8 \(rising\); target 5xx from none \(rising\)/,
    },
    {
      case: "requests up 20%: below the rising factor",
      series: [metricSeries("tg0_rpt", ramp(1000, 1200))],
      expected: {},
    },
    {
      case: "requests from zero are not a trend (the service may just have come back)",
      series: [metricSeries("tg0_rpt", [...flat(0, 5), ...flat(500, 10)])],
      expected: {},
    },
    { case: "two readings are too few to call a trend", series: [metricSeries("tg0_rpt", [100, 300])], expected: {} },
    {
      case: "any target group rising counts",
      series: [
        metricSeries("tg0_rpt", flat(1000)),
        metricSeries("tg1_rpt", ramp(100, 400), {
          label: "payment-api-admin-tg requests per target",
          metricName: "RequestCountPerTarget",
          namespace: "AWS/ApplicationELB",
          stat: "Sum",
          dimensions: { TargetGroup: "targetgroup/payment-api-admin-tg/1" },
        }),
      ],
      expected: { requestsRising: true },
    },
  ];

describe("analyzeSaturation", () => {
  it.each(cases)("$case", ({ series, expected, summary }) => {
    const result = analyzeSaturation(saturationData(series), THRESHOLDS);
    expect({
      cpuHigh: result.cpuHigh,
      memoryHigh: result.memoryHigh,
      requestsRising: result.requestsRising,
      latencyRising: result.latencyRising,
      errorsRising: result.errorsRising,
    }).toEqual({ ...NONE, ...expected });
    if (summary) expect(result.summary).toMatch(summary);
  });

  it("points at the metrics that show saturation", () => {
    const result = analyzeSaturation(
      saturationData([metricSeries("cpu_avg", flat(92)), metricSeries("tg0_rpt", ramp(1000, 2000))]),
      THRESHOLDS,
    );
    expect(result.evidence.map((r) => [r.step, r.kind, r.id])).toEqual([
      ["saturation", "metric", "cpu_avg"],
      ["saturation", "metric", "tg0_rpt"],
    ]);
    expect(result.evidence[0]!.text).toBe("CPU averaged 92% over the last 5 reading(s) (≥ 80%)");
    expect(result.cpuPercent).toBe(92);
  });

  it("uses saturationPoints readings", () => {
    const series = [metricSeries("cpu_avg", [...flat(50, 12), 100, 100, 100])];
    expect(analyzeSaturation(saturationData(series), { ...THRESHOLDS, saturationPoints: 3 }).cpuHigh).toBe(true);
    expect(analyzeSaturation(saturationData(series), { ...THRESHOLDS, saturationPoints: 10 }).cpuHigh).toBe(false);
  });

  it.each([
    {
      case: "every series empty",
      data: saturationData([metricSeries("cpu_avg", []), metricSeries("mem_avg", [])]),
      summary: /metrics.*empty/,
    },
    { case: "the step collected nothing", data: null, summary: /no saturation metrics/ },
    { case: "the step is not in the snapshot", data: undefined, summary: /no saturation metrics/ },
  ])("no data ($case): nothing high or rising", ({ data, summary }) => {
    const result = analyzeSaturation(data, THRESHOLDS);
    expect(result).toMatchObject({ ...NONE, evidence: [] });
    expect(result.summary).toMatch(summary);
  });
});
