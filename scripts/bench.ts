/**
 * `npm run bench [-- --json] [-- --latency 50] [-- --package]`: the performance figures of issue 12, measured on this
 * machine. Not part of `npm test`. Prints a table; with `--json`, one JSON object on its last line.
 *
 * The diagnosis figures run in process over mocked AWS, every call answering after a fixed latency
 * (scripts/bench/diagnosis.ts); `sequential_ms` runs the same diagnosis with every AWS call queued behind the
 * previous one (a hand-run runbook), CloudTrail's quota included. Start-up, cold init, the slack ack, classify and
 * the peak RSS run the BUILT bundles in fresh child processes (scripts/bench/processes.ts, scripts/bench/rss.ts);
 * CPU figures are the children's user + system time read by /usr/bin/time; each figure is a median of several runs.
 * The alarm storm runs the real alarm handler code with the alarm tests' stand-ins (scripts/bench/storm.ts).
 * `--package` also times `sls package` (osls, offline), a timing that used to be asserted by the deploy tests.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { breakdown, lowerBound, runDiagnosis } from "./bench/diagnosis";
import { ackMs, bundles, classifyRate, median, ROOT, round, startup } from "./bench/processes";
import { rssOfBuiltDiagnosis } from "./bench/rss";
import { stormFigure } from "./bench/storm";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const LATENCY_MS = option("--latency", 50);
const node = process.execPath;

/** Seconds of one `sls package` into a throw-away folder (test/deploy/package-stack.ts), or null when not asked. */
async function packageSeconds(): Promise<number | null> {
  if (!flag("--package")) return null;
  const { rmSync } = await import("node:fs");
  const { packageStack } = await import("../test/deploy/package-stack");
  const { dir, seconds } = await packageStack();
  rmSync(dir, { recursive: true, force: true });
  return round(seconds, 1);
}

async function main(): Promise<void> {
  if (!flag("--no-build") || !existsSync(join(ROOT, "dist/cli/ecs-medic.mjs"))) {
    spawnSync(node, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "ignore" });
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);

  await runDiagnosis(200, 0); // warm-up: JIT, playbooks
  const runs = [0, 1, 2].map(() => 0);
  // The report goes out without waiting for CloudTrail (as the worker and a terminal do): its lower bound is the
  // critical path of the other calls; the complete result (recent changes in) is measured beside it.
  const measured: Array<{ ms: number; lb: number; complete: number; completeLb: number }> = [];
  for (const _ of runs) {
    const r = await runDiagnosis(200, LATENCY_MS, false, true);
    measured.push({
      ms: r.ms,
      lb: lowerBound(
        r.calls.filter((c) => c.api !== "LookupEvents"),
        LATENCY_MS,
      ),
      complete: r.completeMs,
      completeLb: lowerBound(r.calls, LATENCY_MS),
    });
  }
  const diagnoseMs = median(measured.map((m) => m.ms));
  const lowerBoundMs = median(measured.map((m) => m.lb));
  const completeMs = median(measured.map((m) => m.complete));
  const completeLowerBoundMs = median(measured.map((m) => m.completeLb));
  const sequential = await runDiagnosis(200, LATENCY_MS, true);

  const apiCalls: Record<string, { total: number; by_api: Record<string, number> }> = {};
  for (const n of [20, 200, 2000]) {
    const r = await runDiagnosis(n, 0);
    apiCalls[String(n)] = { total: r.calls.length, by_api: breakdown(r.calls) };
  }

  const start = startup();
  const ack = ackMs();
  const bundleFigures = bundles();
  const classify = classifyRate();
  const rss = await rssOfBuiltDiagnosis();
  const lookups = apiCalls["200"]?.by_api.LookupEvents ?? 0;
  const storm = await stormFigure(lookups);

  const result = {
    latency_ms: LATENCY_MS,
    diagnose_ms: round(diagnoseMs),
    lower_bound_ms: round(lowerBoundMs),
    ratio: round(diagnoseMs / lowerBoundMs, 2),
    sequential_ms: round(sequential.ms),
    speedup: round(sequential.ms / diagnoseMs, 2),
    complete_ms: round(completeMs),
    complete_lower_bound_ms: round(completeLowerBoundMs),
    complete_ratio: round(completeMs / completeLowerBoundMs, 2),
    speedup_complete: round(sequential.ms / completeMs, 2),
    api_calls: apiCalls,
    startup: start,
    ack_ms: ack.ack_ms,
    ack_cold_ms: ack.ack_cold_ms,
    bundles: bundleFigures,
    classify_per_s: classify.per_s,
    classify_cpu_per_s: classify.cpu_per_s,
    rss_mb: rss.rss_mb,
    rss_estate: rss.rss_estate,
    storm,
    package_s: await packageSeconds(),
    load_average: (await import("node:os")).loadavg().map((x) => round(x, 2)),
  };

  const rows: Array<[string, string, string]> = [
    ["diagnose: report out (200 tasks, 3 TGs)", `${result.diagnose_ms} ms`, `latency ${LATENCY_MS} ms/call`],
    [
      "diagnose: recent changes in",
      `${result.complete_ms} ms`,
      `lower bound ${result.complete_lower_bound_ms} ms, ratio ${result.complete_ratio}, speedup ${result.speedup_complete}`,
    ],
    ["lower bound (critical path)", `${result.lower_bound_ms} ms`, `ratio ${result.ratio} (target ≤ 1.3)`],
    ["sequential (runbook)", `${result.sequential_ms} ms`, `speedup ${result.speedup} (target ≥ 5)`],
    ...Object.entries(apiCalls).map(
      ([n, v]) =>
        [
          `api calls, ${n} tasks`,
          String(v.total),
          `DescribeTasks ${v.by_api.DescribeTasks ?? 0}, ListTasks ${v.by_api.ListTasks ?? 0}`,
        ] as [string, string, string],
    ),
    [
      "startup --version (CPU)",
      `${start.version_cpu_ms} ms`,
      `bare node ${start.bare_cpu_ms} ms, ratio ${start.ratio} (target ≤ 2.5)`,
    ],
    [
      "startup diagnose --evidence (CPU)",
      `${start.diagnose_evidence_cpu_ms} ms`,
      `ratio ${start.diagnose_evidence_ratio}`,
    ],
    ["slack ack (warm / cold)", `${result.ack_ms} / ${result.ack_cold_ms} ms`, "target ≤ 300"],
    ...bundleFigures.map(
      (b) =>
        [`bundle ${b.name}`, `${(b.bytes / 1024).toFixed(0)} KiB`, `cold init ${b.cold_init_ms} ms (target ≤ 300)`] as [
          string,
          string,
          string,
        ],
    ),
    ["classify", `${result.classify_per_s} lines/s`, `${result.classify_cpu_per_s} per CPU-s (target ≥ 50,000)`],
    ["peak RSS of a diagnosis", `${rss.rss_mb} MB`, `${rss.rss_estate} (target ≤ 130)`],
    [
      "alarm storm",
      `${storm.alarms} alarms`,
      `${storm.services} services → ${storm.posts} posts, ${storm.diagnoses} diagnoses, ${storm.cloudtrail_calls} CloudTrail calls`,
    ],
    ["load average", result.load_average.join(" "), "2 cores"],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  if (flag("--json")) log(JSON.stringify(result));
}

await main();
