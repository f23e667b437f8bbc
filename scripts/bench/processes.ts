/**
 * The figures of `npm run bench` measured in fresh child processes of the BUILT bundles (dist/): CPU and wall of
 * start-up, the handlers' cold init, the slack ack, classify's rate, the peak RSS of a diagnosis.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { accessConfigFile, OPEN_ACCESS } from "../../test/helpers/access-config";
import { OFFLINE_AWS_ENV } from "../../test/helpers/offline-aws-env";

export const ROOT = resolve(import.meta.dirname, "../..");

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const round = (x: number, digits = 0) => Number(x.toFixed(digits));

const node = process.execPath;
const quietEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NO_COLOR: "1" };

/** CPU ms (user + system) and wall ms of `node <argv>`, measured by a wrapper that spawns it and reads its rusage. */
export function cpuOf(argv: readonly string[], input?: string): { cpu: number; wall: number } {
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

export function startup(runs = 5) {
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

export function bundles(runs = 5) {
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
    const cpuDiffs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const bare = wallOf(["--input-type=module", "-e", "0"]);
      diffs.push(wallOf(["--input-type=module", "-e", `await import(${JSON.stringify(url)})`]) - bare);
      // CPU too: on a shared machine wall time is mostly other people's jobs.
      cpuDiffs.push(
        cpuOf(["--input-type=module", "-e", `await import(${JSON.stringify(url)})`]).cpu -
          cpuOf(["--input-type=module", "-e", "0"]).cpu,
      );
    }
    return {
      name,
      bytes,
      cold_init_ms: round(Math.max(0, median(diffs))),
      cold_init_cpu_ms: round(Math.max(0, median(cpuDiffs))),
    };
  });
}

export function classifyRate(): { per_s: number; cpu_per_s: number } {
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
  let runs: { cpu: number; wall: number }[];
  try {
    runs = [0, 1, 2].map(() => cpuOf([join(ROOT, "dist/cli/ecs-medic.mjs"), "classify"], file));
  } finally {
    // 24 MB per run: never left behind.
    rmSync(file, { force: true });
  }
  return {
    per_s: round(100_000 / (median(runs.map((r) => r.wall)) / 1000)),
    cpu_per_s: round(100_000 / (median(runs.map((r) => r.cpu)) / 1000)),
  };
}

export function ackMs(runs = 3): { ack_ms: number; ack_cold_ms: number } {
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
        ...OFFLINE_AWS_ENV,
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
