import type { SaturationData } from "../evidence/schema";
import type { StepEntry } from "./entry";

type Series = SaturationData["series"][number];

export const saturationEntry: StepEntry<"saturation"> = {
  id: "saturation",
  number: null,
  title: "Saturation",
  summarize(data) {
    const byId = new Map(data.series.map((s) => [s.id, s]));
    const parts: string[] = [];
    for (const [name, prefix] of [
      ["CPU", "cpu"],
      ["memory", "mem"],
    ] as const) {
      const latest = last(byId.get(`${prefix}_avg`));
      const peak = peakOf(byId.get(`${prefix}_max`));
      const facts = [
        latest === undefined ? undefined : `latest ${Math.round(latest)}%`,
        peak === undefined ? undefined : `peak ${Math.round(peak)}%`,
      ].filter((x): x is string => x !== undefined);
      if (facts.length > 0) parts.push(`${name} ${facts.join(", ")}`);
    }
    if (parts.length === 0) parts.push("no CPU/memory datapoints in the window");

    const groups = new Set(
      data.series.flatMap((s) => (/^tg\d+_/.test(s.id) ? [s.id.slice(0, s.id.indexOf("_"))] : [])),
    );
    for (const tg of groups) {
      const rpt = byId.get(`${tg}_rpt`);
      const p95 = peakOf(byId.get(`${tg}_p95`));
      const errors5xx = (byId.get(`${tg}_5xx`)?.points ?? []).reduce((sum, p) => sum + p.value, 0);
      const rptPeak = peakOf(rpt);
      const name = targetGroupName(rpt?.dimensions["TargetGroup"] ?? "") ?? tg;
      const facts = [
        rptPeak === undefined ? "no requests" : `peak ${Math.round(rptPeak)} req/target per ${data.periodSeconds} s`,
        p95 === undefined ? undefined : `p95 peak ${p95.toFixed(2)} s`,
        `${Math.round(errors5xx)} target 5xx`,
      ].filter((x): x is string => x !== undefined);
      parts.push(`${name}: ${facts.join(", ")}`);
    }
    const partial = data.series.filter((s) => s.statusCode === "PartialData").length;
    return `${parts.join("; ")}${partial > 0 ? ` (${partial} series partial)` : ""}`;
  },
};

export function targetGroupName(dimension: string): string | undefined {
  return dimension.split("/")[1] || undefined;
}

function last(series: Series | undefined): number | undefined {
  return series?.points.at(-1)?.value;
}

function peakOf(series: Series | undefined): number | undefined {
  if (!series || series.points.length === 0) return undefined;
  return Math.max(...series.points.map((p) => p.value));
}
