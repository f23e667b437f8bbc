/**
 * npm run chaos [-- --runs 100 --seed 13 --concurrency 10 --aws-faults 0.05 --slack-429 0.08 --json]
 *
 * Drives diagnoses through the BUILT worker handler (dist/handlers/worker.mjs; `npm run chaos` builds first) against
 * an AWS stand-in — moto_server behind a proxy that injects throttles, 5xx and latency from a seeded RNG — and a Slack
 * stand-in that sometimes answers 429 with Retry-After. Like Lambda, a run whose handler throws is delivered once
 * more, and some jobs are delivered twice at once (at-least-once delivery). The claims table is DynamoDB (in moto,
 * behind the same faults), shared by every delivery, as in production.
 *
 * Each run is judged by what its requester can see: completed (a report in the channel), failed_with_message (no
 * report, but an error message in the channel or through response_url), silent (nothing final), duplicates (two
 * reports for one request). With --json the last line is {"runs","completed","failed_with_message","silent",
 * "duplicates"}. Exit 1 when silent or duplicates is not 0. Needs moto_server (Python moto[server] 5.2.1).
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { tableDefinition } from "../src/store/table";
import { motoAvailable, startMoto } from "../test/helpers/moto";
import { SEED, seedPaymentApi } from "../test/integration/seed";
import { startAwsProxy } from "./chaos/aws-proxy";
import { seededRandom } from "./chaos/rng";
import { startSlackStandIn, type SlackStandIn } from "./chaos/slack-standin";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "100" },
    seed: { type: "string", default: "13" },
    concurrency: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
    /** Share of AWS calls throttled, and answered 5xx (each). */
    "aws-faults": { type: "string", default: "0.05" },
    /** Share of Slack Web API calls answered 429. */
    "slack-429": { type: "string", default: "0.08" },
  },
});
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const random = seededRandom(Number(values.seed));
const say = (line: string) => process.stderr.write(`${line}\n`);

type Verdict = "completed" | "failed_with_message" | "silent";
type WorkerHandler = (event: unknown, context: { getRemainingTimeInMillis(): number }) => Promise<{ status: string }>;

async function main(): Promise<number> {
  if (!motoAvailable()) {
    say("npm run chaos needs moto_server (Python moto[server] 5.2.1) for the AWS stand-in.");
    return 2;
  }
  const started = Date.now();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const moto = await startMoto();
  const dir = mkdtempSync(join(tmpdir(), "ecs-medic-chaos-"));
  const cleanups: (() => Promise<void>)[] = [() => moto.stop()];
  try {
    await seedPaymentApi(moto.url, new Date());
    await moto.freezeTasks();
    const creds = { accessKeyId: "testing", secretAccessKey: "testing" };
    const table = "ecs-medic-chaos";
    const dynamo = new DynamoDBClient({ endpoint: moto.url, region: SEED.region, credentials: creds });
    await dynamo.send(new CreateTableCommand(tableDefinition(table)));
    dynamo.destroy();

    const aws = await startAwsProxy(moto.url, random, {
      throttle: Number(values["aws-faults"]),
      serverError: Number(values["aws-faults"]),
      latency: 0.2,
      maxLatencyMs: 400,
    });
    cleanups.push(() => aws.close());
    const slack = await startSlackStandIn({
      random,
      rateLimited: Number(values["slack-429"]),
      latency: 0.1,
      maxLatencyMs: 300,
    });
    cleanups.push(() => slack.close());
    const config = join(dir, "ecs-medic.yaml");
    writeFileSync(config, "access:\n  allow:\n    - teams: [T0CHAOS]\n      commands: [diagnose, rerun]\n");

    Object.assign(process.env, {
      AWS_ENDPOINT_URL: aws.url,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_REGION: SEED.region,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      SLACK_BOT_TOKEN: "xoxb-chaos-not-a-token",
      SLACK_API_URL: slack.apiUrl,
      ECS_MEDIC_TABLE: table,
      ECS_MEDIC_CONFIG: config,
    });
    const bundle = pathToFileURL(resolve("dist/handlers/worker.mjs")).href;
    const { handler } = (await import(bundle)) as { handler: WorkerHandler };

    // The worker's JSON logs would drown the summary: count them instead.
    const logged = { lines: 0 };
    console.log = console.error = console.warn = console.info = () => void (logged.lines += 1);

    const deliveries = { total: 0, retried: 0, doubled: 0, threw: 0 };
    const deliver = async (job: Record<string, unknown>) => {
      // Lambda: an invocation that throws is retried once (maximumRetryAttempts: 1).
      for (let attempt = 0; attempt < 2; attempt++) {
        deliveries.total += 1;
        if (attempt > 0) deliveries.retried += 1;
        try {
          await handler(job, { getRemainingTimeInMillis: () => 60_000 });
          return;
        } catch {
          deliveries.threw += 1;
        }
      }
    };
    const runOne = async (i: number) => {
      const job = {
        kind: "diagnose",
        jobId: `13345224609.738474920.chaos${String(i).padStart(4, "0")}`,
        service: SEED.service,
        cluster: SEED.cluster,
        since: "2h",
        channel: channelOf(i),
        user: "U0ONCALL",
        teamId: "T0CHAOS",
        responseUrl: `${slack.responseBase}/${i}`,
        requestedAt: new Date().toISOString(),
      };
      // At-least-once delivery: about one job in ten arrives twice at the same time.
      if (random() < 0.1) {
        deliveries.doubled += 1;
        await Promise.all([deliver(job), deliver(job)]);
      } else await deliver(job);
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, RUNS) }, async () => {
        while (next < RUNS) await runOne(next++);
      }),
    );

    const verdicts = Array.from({ length: RUNS }, (_, i) => judge(slack, i));
    const counts = {
      runs: RUNS,
      completed: verdicts.filter((v) => v.verdict === "completed").length,
      failed_with_message: verdicts.filter((v) => v.verdict === "failed_with_message").length,
      silent: verdicts.filter((v) => v.verdict === "silent").length,
      duplicates: verdicts.filter((v) => v.reports > 1).length,
    };
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    say(
      `chaos: ${RUNS} runs (seed ${values.seed}, ${CONCURRENCY} at a time) in ${seconds} s — ` +
        `${counts.completed} completed, ${counts.failed_with_message} failed with a message, ` +
        `${counts.silent} silent, ${counts.duplicates} duplicates`,
    );
    say(
      `  AWS stand-in: ${aws.stats.calls} calls, ${aws.stats.throttled} throttled, ${aws.stats.serverErrors} 5xx, ` +
        `${aws.stats.delayed} delayed · Slack stand-in: ${slack.stats.calls} calls, ${slack.stats.limited} answered 429 · ` +
        `deliveries: ${deliveries.total} (${deliveries.doubled} jobs delivered twice, ${deliveries.retried} retries after a throw)`,
    );
    // What the failed runs said, most common first: a fault the stand-ins inject should read as itself.
    const said = new Map<string, number>();
    for (const [i, v] of verdicts.entries())
      if (v.verdict === "failed_with_message") {
        const text = (slack.replies.get(String(i)) ?? [])[0] ?? v.text ?? "";
        const key = text.slice(0, 100);
        said.set(key, (said.get(key) ?? 0) + 1);
      }
    for (const [text, n] of [...said].sort((a, b) => b[1] - a[1]).slice(0, 5)) say(`  ${n}× "${text}"`);
    for (const [i, v] of verdicts.entries())
      if (v.verdict === "silent" || v.reports > 1) say(`  run ${i}: ${v.verdict}, ${v.reports} report(s) — ${v.why}`);
    if (values.json) process.stdout.write(`${JSON.stringify(counts)}\n`);
    return counts.silent === 0 && counts.duplicates === 0 ? 0 : 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const channelOf = (i: number) => `C0CHAOS${String(i).padStart(4, "0")}`;

/** What the requester of run `i` can see: the channel's messages as they stand, and the private replies. */
function judge(slack: SlackStandIn, i: number): { verdict: Verdict; reports: number; why: string; text?: string } {
  const messages = slack.channels.get(channelOf(i)) ?? [];
  const replies = slack.replies.get(String(i)) ?? [];
  const reports = messages.filter((m) => m.blockIds.includes("verdict")).length;
  const failures = messages.filter((m) => !m.blockIds.includes("verdict") && !m.blockIds.includes("progress"));
  const why = `${messages.length} message(s) [${messages.map((m) => m.blockIds[0] ?? "?").join(", ")}], ${replies.length} reply(ies)`;
  if (reports > 0) return { verdict: "completed", reports, why };
  if (failures.length > 0 || replies.length > 0)
    return { verdict: "failed_with_message", reports, why, text: failures[0]?.text };
  return { verdict: "silent", reports, why };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`chaos could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
