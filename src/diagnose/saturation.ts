import type { SaturationData } from "../evidence/schema";
import type { CheckOrder } from "./playbook-schema";
import type { EvidenceRef } from "./types";

type Series = SaturationData["series"][number];
type Thresholds = Pick<CheckOrder["thresholds"], "saturationPercent" | "saturationPoints" | "risingFactor">;

/** Whether the service is short of task capacity, read from the supporting `saturation` step. */
export interface SaturationAnalysis {
  /** Average CPU (%) over the newest `saturationPoints` readings is at or above `saturationPercent`. */
  readonly cpuHigh: boolean;
  readonly memoryHigh: boolean;
  /** Requests per target: the newest readings average `risingFactor` × the earliest third's, or more. */
  readonly requestsRising: boolean;
  /** p95 target response time, same comparison. */
  readonly latencyRising: boolean;
  /** Target 5xx, same comparison (from none to some counts as rising). */
  readonly errorsRising: boolean;
  /** The newest readings' averages, when there were any. */
  readonly cpuPercent?: number | undefined;
  readonly memoryPercent?: number | undefined;
  /** Newest ÷ earliest third, the largest over the target groups. */
  readonly requestsFactor?: number | undefined;
  readonly latencyFactor?: number | undefined;
  /** One line for people: "CPU 92% (high), memory 41%; requests per target ×2.4 (rising); …". */
  readonly summary: string;
  readonly evidence: readonly EvidenceRef[];
}

interface Trend {
  readonly series: Series;
  readonly recent: number;
  readonly baseline: number;
  /** recent ÷ baseline; Infinity when the baseline is 0 and the recent readings are not. */
  readonly factor: number;
}

/**
 * Pure analysis of the saturation step: CPU and memory are "high" when the newest `saturationPoints` readings
 * average at least `saturationPercent`; requests, latency and 5xx are "rising" when those newest readings average
 * at least `risingFactor` times the earliest third of the window. Series are found by metric, not by query id,
 * and every target group counts. No data → all false, and the summary says the metrics were empty.
 *
 * @example
 * analyzeSaturation(data, { saturationPercent: 80, saturationPoints: 5, risingFactor: 1.5 }).cpuHigh
 */
export function analyzeSaturation(data: SaturationData | null | undefined, thresholds: Thresholds): SaturationAnalysis {
  const withPoints = (data?.series ?? []).filter((s) => s.points.length > 0);
  if (withPoints.length === 0) {
    return {
      cpuHigh: false,
      memoryHigh: false,
      requestsRising: false,
      latencyRising: false,
      errorsRising: false,
      summary: data
        ? "no saturation metrics: every CloudWatch series was empty in the window"
        : "no saturation metrics: the saturation step collected nothing",
      evidence: [],
    };
  }
  const n = Math.max(1, thresholds.saturationPoints);
  const evidence: EvidenceRef[] = [];
  const parts: string[] = [];

  const level = (metricName: string, label: string) => {
    const series = withPoints.find(
      (s) => s.namespace === "AWS/ECS" && s.metricName === metricName && s.stat === "Average",
    );
    if (!series) return { high: false, value: undefined };
    const value = average(series.points.slice(-n).map((p) => p.value));
    const high = value >= thresholds.saturationPercent;
    parts.push(`${label} ${Math.round(value)}%${high ? " (high)" : ""}`);
    evidence.push(
      ref(
        series,
        `${label} averaged ${Math.round(value)}% over the last ${Math.min(n, series.points.length)} reading(s)${high ? ` (≥ ${thresholds.saturationPercent}%)` : ""}`,
      ),
    );
    return { high, value };
  };
  const cpu = level("CPUUtilization", "CPU");
  const memory = level("MemoryUtilization", "memory");

  const rising = (metricName: string, label: string, fromZero: boolean) => {
    const trends = withPoints
      .filter((s) => s.namespace === "AWS/ApplicationELB" && s.metricName === metricName)
      .map((s) => trend(s, n))
      .filter((t): t is Trend => t !== undefined);
    if (trends.length === 0) return { rising: false, factor: undefined };
    const best = trends.reduce((a, b) => (b.factor > a.factor ? b : a));
    const isRising = best.recent > 0 && (best.baseline > 0 ? best.factor >= thresholds.risingFactor : fromZero);
    const factorText = Number.isFinite(best.factor) ? `×${best.factor.toFixed(1)}` : "from none";
    parts.push(`${label} ${factorText}${isRising ? " (rising)" : ""}`);
    if (isRising)
      evidence.push(
        ref(best.series, `${best.series.label}: ${round(best.baseline)} → ${round(best.recent)} (${factorText})`),
      );
    return { rising: isRising, factor: Number.isFinite(best.factor) ? best.factor : undefined };
  };
  const requests = rising("RequestCountPerTarget", "requests per target", false);
  const latency = rising("TargetResponseTime", "p95 latency", false);
  const errors = rising("HTTPCode_Target_5XX_Count", "target 5xx", true);

  return {
    cpuHigh: cpu.high,
    memoryHigh: memory.high,
    requestsRising: requests.rising,
    latencyRising: latency.rising,
    errorsRising: errors.rising,
    cpuPercent: cpu.value,
    memoryPercent: memory.value,
    requestsFactor: requests.factor,
    latencyFactor: latency.factor,
    summary: parts.length > 0 ? parts.join("; ") : "no CPU, memory or load-balancer readings to judge",
    evidence,
  };
}

/** The newest `n` readings against the earliest third; undefined with fewer than 3 readings. */
function trend(series: Series, n: number): Trend | undefined {
  const values = series.points.map((p) => p.value);
  if (values.length < 3) return undefined;
  const third = Math.max(1, Math.floor(values.length / 3));
  // The newest readings never overlap the baseline.
  const recent = average(values.slice(-Math.min(n, values.length - third)));
  const baseline = average(values.slice(0, third));
  const factor = baseline > 0 ? recent / baseline : recent > 0 ? Infinity : 1;
  return { series, recent, baseline, factor };
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function round(value: number): string {
  return value >= 10 ? String(Math.round(value)) : value.toFixed(2);
}

function ref(series: Series, text: string): EvidenceRef {
  return { step: "saturation", kind: "metric", id: series.id, at: series.points.at(-1)?.timestamp, text };
}
