/**
 * `npm run bench [-- --json] [-- --latency 50]`: the performance figures of issue 12, measured on this machine.
 * Not part of `npm test`. Prints a table; with `--json`, one JSON object on the last line.
 *
 * AWS is mocked (aws-sdk-client-mock over the real SDK clients, shapes from test/fixtures/aws.ts and
 * test/helpers/estate.ts), every call answering after a fixed latency. CPU figures are the child processes' user +
 * system time read by /usr/bin/time (wall time where it is missing); each figure is a median of several runs.
 * `sequential_ms` runs the same diagnosis with every AWS call queued behind the previous one (a hand-run runbook),
 * CloudTrail's quota included. `rss_mb` is the peak RSS of a child process running one 200-task diagnosis from the
 * sources under tsx (mocks included), an upper bound for the built worker.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type ListTasksCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { createDeps } from "../src/app/deps";
import { diagnose } from "../src/app/diagnose";
import { createClients, type AwsClients } from "../src/aws/clients";
import { fixedClock } from "../src/clock";
import { createRateLimiter } from "../src/collect/rate-limiter";
import {
  LOAD_BALANCER_ARN,
  NOW,
  REGION,
  sdkService,
  sdkStoppedTask,
  sdkTargetGroup,
  sdkTask,
  TASK_ARN,
} from "../test/fixtures/aws";
import { answerEverything, mockAllClients, type ClientMocks } from "../test/helpers/estate";
import { accessConfigFile, OPEN_ACCESS } from "../test/helpers/access-config";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const ROOT = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const LATENCY_MS = option("--latency", 50);
const CLOUDTRAIL_INTERVAL_MS = 500;
const CLOUDTRAIL_BURST = 2;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

// ---------------------------------------------------------------------------------------------------------------
// The mocked estate: `tasks` tasks (a tenth stopped), 3 target groups, every call delayed and recorded.

interface Call {
  readonly api: string;
  readonly start: number;
  end: number;
  readonly input: unknown;
}

const TG_ARNS = [0, 1, 2].map(
  (i) => `arn:aws:elasticloadbalancing:${REGION}:123456789012:targetgroup/payment-api-tg-${i}/0123456789abcde${i}`,
);

function estate(mocks: ClientMocks, taskCount: number, calls: Call[]): Call[] {
  const stopped = Math.max(1, Math.round(taskCount / 10));
  const tasks: Task[] = [];
  for (let i = 0; i < taskCount; i++) {
    const id = `t${String(i).padStart(6, "0")}`;
    tasks.push(
      i < stopped
        ? sdkStoppedTask(
            1 + (i % 50),
            { exitCode: 137, containerReason: "OutOfMemoryError: Container killed" },
            {
              taskArn: TASK_ARN(id),
            },
          )
        : sdkTask({ taskArn: TASK_ARN(id) }),
    );
  }
  answerEverything(mocks, tasks);
  mocks.ecs.on(DescribeServicesCommand).resolves({
    services: [
      sdkService({
        desiredCount: taskCount - stopped,
        runningCount: taskCount - stopped,
        loadBalancers: TG_ARNS.map((targetGroupArn) => ({ targetGroupArn, containerName: "app", containerPort: 8080 })),
      }),
    ],
    failures: [],
  });
  mocks.ecs.on(ListTasksCommand).callsFake((input: ListTasksCommandInput) => {
    const pool = tasks.filter((t) =>
      input.desiredStatus === "STOPPED" ? t.lastStatus === "STOPPED" : t.lastStatus !== "STOPPED",
    );
    const from = input.nextToken ? Number(input.nextToken) : 0;
    const page = pool.slice(from, from + 100);
    const next = from + 100 < pool.length ? String(from + 100) : undefined;
    return { taskArns: page.map((t) => t.taskArn!), ...(next ? { nextToken: next } : {}) };
  });
  mocks.elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns?: string[] }) => ({
    TargetGroups: (input.TargetGroupArns ?? TG_ARNS).map((arn, i) =>
      sdkTargetGroup({
        TargetGroupArn: arn,
        TargetGroupName: `payment-api-tg-${i}`,
        LoadBalancerArns: [LOAD_BALANCER_ARN],
      }),
    ),
  }));
  mocks.elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
  mocks.cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });

  return calls;
}

/** The clients, each `send` recorded and answered after the latency (one call at a time when sequential). */
function recording(clients: AwsClients, calls: Call[], latencyMs: number, sequential: boolean): AwsClients {
  let queue: Promise<unknown> = Promise.resolve();
  const patched = new Set<object>();
  const wrap = <T extends object>(client: T): T => {
    if (patched.has(client)) return client;
    patched.add(client);
    const target = client as unknown as { send: (command: { input: unknown }) => Promise<unknown> };
    const send = target.send.bind(client);
    target.send = (command) => {
      const run = async () => {
        const call: Call = {
          api: command.constructor.name.replace(/Command$/, ""),
          start: performance.now(),
          end: 0,
          input: command.input,
        };
        calls.push(call);
        await new Promise((r) => setTimeout(r, latencyMs));
        call.end = performance.now();
        return send(command);
      };
      if (!sequential) return run();
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    };
    return client;
  };
  return new Proxy(clients, {
    get: (t, key) => {
      const value: unknown = Reflect.get(t, key);
      return typeof key === "string" && value && typeof value === "object" && "send" in value ? wrap(value) : value;
    },
  });
}

async function runDiagnosis(taskCount: number, latencyMs: number, sequential = false) {
  const mocks = mockAllClients();
  for (const m of Object.values(mocks)) m.reset();
  // answerEverything's fakes are replaced by the recording wrapper; the real send is never reached.
  const calls = estate(mocks, taskCount, []);
  const deps = createDeps({
    clock: fixedClock(NOW),
    aws: () => recording(createClients({ region: REGION, maxAttempts: 1 }), calls, latencyMs, sequential),
    cloudTrailLimiter: createRateLimiter({ intervalMs: CLOUDTRAIL_INTERVAL_MS, burst: CLOUDTRAIL_BURST }),
  });
  deps.playbooks(); // parsed once, as in a warm process; the first run below warms the JIT too
  const t0 = performance.now();
  const result = await diagnose(deps, { service: "payment-api", cluster: "prod", since: "1h" });
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(`bench diagnosis failed: ${result.failure.title}`);
  for (const m of Object.values(mocks)) m.restore();
  return { ms, calls: calls.map((c) => ({ ...c, start: c.start - t0, end: c.end - t0 })) };
}

/**
 * The critical path of the recorded calls: a call can start only when the calls it depends on have answered
 * (each call of an API listed as a prerequisite that ended before it started; paged calls on their previous page),
 * each call takes the latency, and LookupEvents calls also wait for CloudTrail's quota (burst 2, then 2/s).
 */
function lowerBound(calls: readonly Call[], latencyMs: number): number {
  const needs: Record<string, readonly string[]> = {
    DescribeServices: [],
    ListTasks: ["DescribeServices", "ListTasks"],
    DescribeTasks: ["ListTasks"],
    DescribeTaskDefinition: ["DescribeServices"],
    GetLogEvents: ["DescribeTasks", "DescribeTaskDefinition"],
    FilterLogEvents: ["DescribeTasks", "DescribeTaskDefinition"],
    DescribeTargetHealth: ["DescribeTargetGroups"],
    DescribeLoadBalancers: ["DescribeTargetGroups"],
    DescribeSecurityGroups: ["DescribeLoadBalancers", "DescribeServices"],
    DescribeImages: ["DescribeTaskDefinition", "DescribeTasks"],
    DescribeRepositories: ["DescribeTaskDefinition"],
    DescribeServiceDeployments: ["ListServiceDeployments"],
    LookupEvents: ["DescribeServices"],
  };
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const finish = new Map<Call, number>();
  let cloudTrail = 0;
  for (const call of sorted) {
    let start = 0;
    for (const api of ["DescribeServices", ...(needs[call.api] ?? [])]) {
      if (api === call.api && api === "DescribeServices") continue;
      for (const before of sorted) {
        if (before === call || before.api !== api || before.end > call.start + 0.5) continue;
        start = Math.max(start, finish.get(before) ?? 0);
      }
    }
    if (call.api === "LookupEvents") {
      start = Math.max(start, Math.max(0, cloudTrail - (CLOUDTRAIL_BURST - 1)) * CLOUDTRAIL_INTERVAL_MS);
      cloudTrail += 1;
    }
    finish.set(call, start + latencyMs);
  }
  return Math.max(0, ...finish.values());
}

function breakdown(calls: readonly Call[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.api] = (out[c.api] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes: CPU and wall of a fresh node.

const node = process.execPath;
const quietEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NO_COLOR: "1" };

/** CPU ms (user + system) and wall ms of `node <argv>`, measured by a wrapper that spawns it and reads its rusage. */
function cpuOf(argv: readonly string[], input?: string): { cpu: number; wall: number } {
  // rusage of children is not exposed by Node: use /usr/bin/time when present, else wall time.
  if (existsSync("/usr/bin/time")) {
    const r = spawnSync("/usr/bin/time", ["-f", "%U %S %e", node, ...argv], {
      cwd: ROOT,
      env: quietEnv,
      input: input ? readFileSync(input) : undefined,
      stdio: [input ? "pipe" : "ignore", "ignore", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    const last = r.stderr.toString().trim().split("\n").pop()!.split(" ").map(Number);
    return { cpu: (last[0]! + last[1]!) * 1000, wall: last[2]! * 1000 };
  }
  const t = performance.now();
  spawnSync(node, argv, {
    cwd: ROOT,
    env: quietEnv,
    input: input ? readFileSync(input) : undefined,
    stdio: [input ? "pipe" : "ignore", "ignore", "ignore"],
  });
  const wall = performance.now() - t;
  return { cpu: wall, wall };
}

function startup(runs = 5) {
  const example = join(ROOT, "examples/oom-after-deploy.json");
  const cli = join(ROOT, "dist/cli/ecs-medic.mjs");
  const bare: number[] = [];
  const version: number[] = [];
  const replay: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(cpuOf(["-e", "0"]).cpu);
    version.push(cpuOf([cli, "--version"]).cpu);
    replay.push(cpuOf([cli, "diagnose", "payment-api", "--evidence", example, "--format", "json"]).cpu);
  }
  const b = median(bare);
  return {
    bare_cpu_ms: round(b),
    version_cpu_ms: round(median(version)),
    diagnose_evidence_cpu_ms: round(median(replay)),
    ratio: round(median(version) / b, 2),
    diagnose_evidence_ratio: round(median(replay) / b, 2),
  };
}

function bundles(runs = 5) {
  const dir = join(ROOT, "dist/handlers");
  const names = readdirSync(dir).filter((f) => f.endsWith(".mjs"));
  const wallOf = (argv: string[]) => {
    const t = performance.now();
    spawnSync(node, argv, { cwd: ROOT, env: quietEnv, stdio: "ignore" });
    return performance.now() - t;
  };
  return names.map((file) => {
    const name = file.replace(/\.mjs$/, "");
    const chunks = join(dir, "chunks", name);
    const bytes =
      statSync(join(dir, file)).size +
      (existsSync(chunks)
        ? readdirSync(chunks)
            .filter((f) => f.endsWith(".mjs"))
            .reduce((sum, f) => sum + statSync(join(chunks, f)).size, 0)
        : 0);
    const url = pathToFileURL(join(dir, file)).href;
    const diffs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const bare = wallOf(["--input-type=module", "-e", "0"]);
      diffs.push(wallOf(["--input-type=module", "-e", `await import(${JSON.stringify(url)})`]) - bare);
    }
    return { name, bytes, cold_init_ms: round(Math.max(0, median(diffs))) };
  });
}

function classifyRate(): { per_s: number; cpu_per_s: number } {
  const corpus = join(ROOT, "test/fixtures/corpus");
  const lines = readdirSync(corpus)
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((f) => readFileSync(join(corpus, f), "utf8").split("\n"))
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { field: string; text: string; extra?: unknown });
  const out: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const l = lines[i % lines.length]!;
    out.push(JSON.stringify({ id: `g${i}`, field: l.field, text: l.text, extra: l.extra }));
  }
  const file = join(tmpdir(), `ecs-medic-bench-classify-${process.pid}.jsonl`);
  writeFileSync(file, `${out.join("\n")}\n`);
  const runs = [0, 1, 2].map(() => cpuOf([join(ROOT, "dist/cli/ecs-medic.mjs"), "classify"], file));
  return {
    per_s: round(100_000 / (median(runs.map((r) => r.wall)) / 1000)),
    cpu_per_s: round(100_000 / (median(runs.map((r) => r.cpu)) / 1000)),
  };
}

function ackMs(runs = 3): { ack_ms: number; ack_cold_ms: number } {
  // The slack bundle in a fresh node: import, then one signed /ecs through the handler with the worker invoke
  // answered by a loopback stand-in of the Lambda API (202).
  const url = pathToFileURL(join(ROOT, "dist/handlers/slack.mjs")).href;
  const probe = `
    import { createHmac } from "node:crypto";
    import { createServer } from "node:http";
    const stub = createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(202, { "x-amzn-requestid": "b" }); res.end(); }); });
    await new Promise((r) => stub.listen(0, "127.0.0.1", r));
    process.env.AWS_ENDPOINT_URL_LAMBDA = "http://127.0.0.1:" + stub.address().port;
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(url)});
    const sign = (text) => {
      const body = new URLSearchParams({ command: "/ecs", text, team_id: "T0001", channel_id: "C0INCIDENT", user_id: "U0ONCALL",
        response_url: "http://127.0.0.1:9/response", trigger_id: "1.2.3", api_app_id: "A0ECSMEDIC" }).toString();
      const ts = Math.floor(Date.now() / 1000);
      const signature = "v0=" + createHmac("sha256", process.env.SLACK_SIGNING_SECRET).update("v0:" + ts + ":" + body).digest("hex");
      return { version: "2.0", rawPath: "/", headers: { "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(ts), "x-slack-signature": signature }, requestContext: { http: { method: "POST" } },
        body, isBase64Encoded: false };
    };
    const t1 = performance.now();
    const first = await handler(sign("diagnose payment-api prod"), { functionName: "bench", awsRequestId: "r1" });
    const t2 = performance.now();
    await handler(sign("diagnose payment-api prod"), { functionName: "bench", awsRequestId: "r2" });
    const t3 = performance.now();
    stub.close();
    console.log(JSON.stringify({ cold: t2 - t0, first: t2 - t1, warm: t3 - t2, status: first.statusCode }));
  `;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(node, ["--input-type=module", "-e", probe], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        SLACK_SIGNING_SECRET: "bench-signing-secret",
        SLACK_API_URL: "http://127.0.0.1:9/api/",
        WORKER_FUNCTION_NAME: "ecs-medic-bench-worker",
        // The access: section the deployed function reads (none would refuse the command before the invoke).
        ECS_MEDIC_CONFIG: accessConfigFile(OPEN_ACCESS),
      },
    });
    const line = r.stdout.toString().trim().split("\n").pop() ?? "{}";
    const out = JSON.parse(line) as { cold: number; first: number; warm: number; status: number };
    if (out.status !== 200)
      throw new Error(`slack handler answered ${out.status}: ${r.stderr.toString().slice(0, 500)}`);
    cold.push(out.cold);
    warm.push(out.first);
  }
  return { ack_ms: round(median(warm)), ack_cold_ms: round(median(cold)) };
}

/** Peak RSS of one 200-task diagnosis, in a child of its own (the bench's own tables stay out of the figure). */
function rssOfDiagnosis(): number {
  const r = spawnSync(node, ["--import", "tsx", join(ROOT, "scripts/bench.ts"), "--child-rss"], {
    cwd: ROOT,
    env: quietEnv,
    encoding: "utf8",
  });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  return Number(line);
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (flag("--child-rss")) {
    await runDiagnosis(200, LATENCY_MS);
    console.log(round(process.resourceUsage().maxRSS / 1024, 1));
    return;
  }
  if (!flag("--no-build") || !existsSync(join(ROOT, "dist/cli/ecs-medic.mjs"))) {
    spawnSync(node, [join(ROOT, "scripts/build.mjs")], { cwd: ROOT, stdio: "ignore" });
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);

  await runDiagnosis(200, 0); // warm-up: JIT, playbooks
  const runs = [0, 1, 2].map(() => 0);
  const measured: Array<{ ms: number; lb: number }> = [];
  for (const _ of runs) {
    const r = await runDiagnosis(200, LATENCY_MS);
    measured.push({ ms: r.ms, lb: lowerBound(r.calls, LATENCY_MS) });
  }
  const diagnoseMs = median(measured.map((m) => m.ms));
  const lowerBoundMs = median(measured.map((m) => m.lb));
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
  const rss = rssOfDiagnosis();

  const result = {
    latency_ms: LATENCY_MS,
    diagnose_ms: round(diagnoseMs),
    lower_bound_ms: round(lowerBoundMs),
    ratio: round(diagnoseMs / lowerBoundMs, 2),
    sequential_ms: round(sequential.ms),
    speedup: round(sequential.ms / diagnoseMs, 2),
    api_calls: apiCalls,
    startup: start,
    ack_ms: ack.ack_ms,
    ack_cold_ms: ack.ack_cold_ms,
    bundles: bundleFigures,
    classify_per_s: classify.per_s,
    classify_cpu_per_s: classify.cpu_per_s,
    rss_mb: rss,
    // Alarm storms (200 alarms across 20 services) are not measured yet.
    storm: null,
    load_average: (await import("node:os")).loadavg().map((x) => round(x, 2)),
  };

  const rows: Array<[string, string, string]> = [
    ["diagnose (200 tasks, 3 TGs)", `${result.diagnose_ms} ms`, `latency ${LATENCY_MS} ms/call`],
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
    ["peak RSS of a diagnosis", `${rss} MB`, "target ≤ 130"],
    ["load average", result.load_average.join(" "), "2 cores"],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  if (flag("--json")) log(JSON.stringify(result));
}

await main();
