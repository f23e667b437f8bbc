/**
 * The `alarm` handler against DynamoDB on moto_server: de-duplication that holds across concurrent deliveries, cold
 * processes and a storm. Slack is the loopback stub; the worker is replaced by what its incident wiring does
 * (test/helpers/alarm-harness.ts), reached through a loopback Lambda Invoke stand-in for the child processes.
 */
import { execFile, spawn } from "node:child_process";
import { Agent } from "node:http";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import type { ServiceLookup } from "../../src/alarms/service-lookup";
import { EMPTY_CONFIG } from "../../src/config/config";
import { handler, setAlarmDepsForTests } from "../../src/handlers/alarm";
import type { DiagnoseJob } from "../../src/slack/job";
import { DynamoIdempotencyStore } from "../../src/store/idempotency";
import { DynamoIncidentStore, fingerprintOf } from "../../src/store/incidents";
import { createSharedRateLimiter, DynamoSlotStore } from "../../src/store/rate-limit";
import { tableDefinition } from "../../src/store/table";
import { ecsServiceAction, snsAlarmMessage, snsEvent } from "../fixtures/events";
import { fakeWorker, seeded, shuffle, stormDeliveries, type FakeWorker } from "../helpers/alarm-harness";
import { motoAvailable, type Moto } from "../helpers/moto";
import { workerMoto } from "../helpers/shared-moto";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";
import { OFFLINE_AWS_ENV } from "../helpers/offline-aws-env";

const noLookup: ServiceLookup = { servicesForTargetGroup: async () => [], alarmTags: async () => ({}) };
const fp = (service: string, alarm: string) =>
  fingerprintOf({ account: "123456789012", region: "us-east-1", cluster: "prod", service }, `alarm#${alarm}`);

describe.skipIf(!motoAvailable())("alarm handler with DynamoDB on moto_server", () => {
  let moto: Moto;
  let stub: SlackStub;
  let dynamo: DynamoDBClient;
  let serialDynamo: DynamoDBClient;
  let store: DynamoIncidentStore;
  let table = "";
  let tableSeq = 0;
  let worker: FakeWorker;
  let now = new Date("2026-11-26T10:30:00Z");
  const clock = () => new Date(now);
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    [moto, stub] = await Promise.all([workerMoto(), startSlackStub()]);
    dynamo = new DynamoDBClient({
      endpoint: moto.url,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    // moto_server serves requests on threads and does not make a conditional write's check-and-put atomic: under
    // load two PutItems with the same `version = :v` condition can both succeed (seen: 1 run in 4 of the 50-way
    // test). DynamoDB serialises writes to an item; one connection to moto does the same, while the handler's calls
    // still interleave (50 deliveries in flight, reads and writes racing).
    serialDynamo = new DynamoDBClient({
      endpoint: moto.url,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) },
    });
  }, 60_000);
  afterAll(async () => {
    setAlarmDepsForTests(undefined);
    dynamo?.destroy();
    serialDynamo?.destroy();
    await Promise.all([moto?.stop(), stub?.close()]);
  });

  /** A fresh table per test; the handler's stores are the DynamoDB ones, on one connection (see serialDynamo). */
  beforeEach(async () => {
    table = `ecs-medic-alarm-${++tableSeq}`;
    await dynamo.send(new CreateTableCommand(tableDefinition(table)));
    store = new DynamoIncidentStore(DynamoDBDocumentClient.from(dynamo), table);
    stub.calls.length = 0;
    logs.length = 0;
    now = new Date("2026-11-26T10:30:00Z");
    vi.stubEnv("ECS_MEDIC_TABLE", table);
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", moto.url);
    worker = fakeWorker({ slackUrl: stub.url, store, clock });
    const serialDoc = DynamoDBDocumentClient.from(serialDynamo);
    setAlarmDepsForTests({
      // The store's own backoff between lost races (jittered, 10 ms doubling): a tenth of it made the writers collide
      // more often, and every lost race is another round trip to moto (1,800 requests against 1,000 for this file).
      incidents: new DynamoIncidentStore(serialDoc, table),
      deliveries: new DynamoIdempotencyStore(serialDoc, table),
      dispatch: (job) => worker.dispatch(job),
      slack: new WebClient("xoxb-test", { slackApiUrl: stub.url, retryConfig: { retries: 0 } }),
      lookup: noLookup,
      config: EMPTY_CONFIG,
      clock,
      env: { ECS_MEDIC_DEFAULT_CHANNEL: "C0INCIDENT" },
      log: (message, detail) => logs.push({ message, ...detail }),
    });
  });

  const topLevelPosts = () => stub.calls.filter((c) => c.method === "chat.postMessage" && !c.args.thread_ts);

  it("50 concurrent duplicate deliveries in one process → one incident, one job; 25 distinct deliveries → still one", async () => {
    const event = snsEvent(snsAlarmMessage({}), "dup-1");
    const outs = await Promise.all(Array.from({ length: 50 }, () => handler(event)));
    const statuses = outs.flatMap((o) => o.outcomes.map((x) => x.status));
    expect(statuses.filter((s) => s === "applied")).toHaveLength(1);
    expect(statuses.filter((s) => s === "duplicate")).toHaveLength(49);
    // The same transition delivered under 25 other ids (SNS and EventBridge both subscribed, say): not repeats.
    // (25, not 50: every lost compare-and-swap is another round trip to moto, so the cost grows with the square.)
    const again = await Promise.all(
      Array.from({ length: 25 }, (_, i) => handler(snsEvent(snsAlarmMessage({}), `other-${i}`))),
    );
    const againEffects = again.flatMap((o) => o.outcomes.map((x) => ("effect" in x ? x.effect : x.status)));
    expect(againEffects.filter((e) => e === "ignore")).toHaveLength(25);
    // 25 new notifications of the same alarm (each a later state-change time), all at once: 25 repeats.
    const distinct = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        handler(
          snsEvent(
            snsAlarmMessage({ at: `2026-11-26T10:0${Math.floor(i / 10)}:${String(i % 10).padStart(2, "0")}.500+0000` }),
            `later-${i}`,
          ),
        ),
      ),
    );
    const effects = distinct.flatMap((o) => o.outcomes.map((x) => ("effect" in x ? x.effect : x.status)));
    expect(effects.filter((e) => e === "open")).toHaveLength(0);
    expect(effects.filter((e) => e === "repeat")).toHaveLength(25);
    await worker.settle();
    expect(worker.jobs).toHaveLength(1);
    expect(topLevelPosts()).toHaveLength(1);
    const record = await store.get(fp("payment-api", "payment-api-cpu-high"));
    expect(record).toMatchObject({
      state: "open",
      generation: 1,
      count: 26,
      channel: "C0INCIDENT",
      ts: expect.any(String),
    });
    console.log(
      `50 duplicates: 1 applied / 49 duplicate; same change by 25 other ids: 25 ignored; 25 new notifications: 25 repeats, 0 opens; jobs ${worker.jobs.length}`,
    );
  }, 60_000);

  it("storm: 200 deliveries for 20 services (duplicates, concurrent, out-of-order OK/ALARM) → ≤ 20 posts, ≤ 20 jobs, none lost", async () => {
    const services = Array.from({ length: 20 }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
    const deliveries = stormDeliveries(services);
    expect(deliveries).toHaveLength(200);
    const order = shuffle(deliveries, seeded(10));
    // 25 at a time: concurrent deliveries, and OKs that overtake their ALARM.
    for (let i = 0; i < order.length; i += 25) {
      await Promise.all(order.slice(i, i + 25).map((event) => handler(event as never)));
    }
    await worker.settle();

    const jobIds = new Set(worker.jobs.map((j: DiagnoseJob) => j.jobId));
    const posts = topLevelPosts();
    const records = await Promise.all(services.map((s) => store.get(fp(s, `${s}-5xx`))));
    console.log(
      `storm: 200 deliveries, 20 services → ${posts.length} top-level posts, ${worker.jobs.length} diagnose jobs (${jobIds.size} distinct), ${stub.calls.filter((c) => c.args.thread_ts).length} thread replies, ${stub.calls.filter((c) => c.method === "chat.update").length} updates; ${records.filter((r) => r?.state === "resolved").length}/20 resolved`,
    );
    expect(posts.length).toBeLessThanOrEqual(20);
    expect(worker.jobs.length).toBeLessThanOrEqual(20);
    // No incident lost: every service has its incident, posted, diagnosed once, resolved by its OK.
    expect(jobIds.size).toBe(20);
    expect(posts).toHaveLength(20);
    for (const [i, r] of records.entries()) {
      expect(r, services[i]).toMatchObject({ generation: 1, state: "resolved", ts: expect.any(String) });
    }
    // Every resolved post says so (by the handler on OK, or by the worker's catch-up when the OK came first).
    for (const r of records) {
      const lastUpdate = stub.calls.filter((c) => c.method === "chat.update" && c.args.ts === r!.ts).at(-1);
      expect(JSON.stringify(lastUpdate?.args.blocks)).toContain("resolved");
    }
  }, 120_000);

  it("a shared-cause storm (12 services, same placement failure, concurrent) becomes one post listing them", async () => {
    const services = Array.from({ length: 12 }, (_, i) => `batch-${String(i).padStart(2, "0")}`);
    await Promise.all(services.map((service) => handler(ecsServiceAction({ id: `placement-${service}`, service }))));
    await worker.settle();
    expect(worker.jobs).toHaveLength(1);
    expect(topLevelPosts()).toHaveLength(1);
    const primary = worker.jobs[0]!.service;
    const record = await store.get(
      fingerprintOf(
        { account: "123456789012", region: "us-east-1", cluster: "prod", service: primary },
        "ecs#SERVICE_TASK_PLACEMENT_FAILURE",
      ),
    );
    expect([...(record!.members ?? [])].sort()).toEqual(services.filter((s) => s !== primary).map((s) => `prod/${s}`));
    const header = JSON.stringify(stub.calls.filter((c) => c.method === "chat.update").at(-1)?.args.blocks);
    for (const s of services.filter((x) => x !== primary)) expect(header).toContain(`prod/${s}`);
    console.log(
      `shared-cause storm: 12 services → ${topLevelPosts().length} post, ${worker.jobs.length} job, ${record!.members!.length} grouped`,
    );
  }, 60_000);

  it("the shared CloudTrail budget books distinct slots 500 ms apart for concurrent workers (DynamoSlotStore)", async () => {
    const slots = new DynamoSlotStore(DynamoDBDocumentClient.from(serialDynamo), table);
    const start = 1_800_000_000_000;
    const booked: number[] = [];
    const limiters = Array.from({ length: 4 }, () =>
      createSharedRateLimiter({
        slots,
        key: "cloudtrail#us-east-1",
        intervalMs: 500,
        maxWaitMs: 60_000,
        now: () => start,
        // Waits for a booked slot are multiples of 500 ms; shorter ones are the CAS back-off between retries.
        sleep: async (ms) => void (ms >= 500 && booked.push(start + ms)),
      }),
    );
    await Promise.all(limiters.flatMap((l) => [l.acquire(), l.acquire()]));
    // Each acquire that had to wait recorded its slot; the first got `start` at once.
    const slotsTaken = [start, ...booked].sort((a, b) => a - b);
    expect(slotsTaken).toEqual(Array.from({ length: 8 }, (_, i) => start + i * 500));
  }, 60_000);

  describe("the built bundle in separate cold processes", () => {
    let dir = "";
    let bundle = "";
    let lambda: Server;
    let lambdaUrl = "";
    const invokes: DiagnoseJob[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "ecs-medic-alarm-"));
      // The shipped bundle, built once for the run by test/global-setup.ts (a lone run of this file builds it).
      bundle = resolve("dist/handlers/alarm.mjs");
      if (!inject("bundlesBuilt") || !existsSync(bundle)) {
        await promisify(execFile)(process.execPath, ["scripts/build.mjs"], { timeout: 110_000 });
      }
      // Lambda Invoke stand-in: 202 like an Event invoke, and the job goes to the worker stand-in.
      lambda = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const job = JSON.parse(Buffer.concat(chunks).toString("utf8")) as DiagnoseJob;
          invokes.push(job);
          void worker.dispatch(job);
          res.writeHead(202, { "content-type": "application/json", "x-amzn-requestid": `stub-${invokes.length}` });
          res.end();
        });
      });
      await new Promise<void>((r) => lambda.listen(0, "127.0.0.1", r));
      const address = lambda.address();
      lambdaUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    }, 120_000);
    afterAll(async () => {
      await new Promise<void>((r) => lambda?.close(() => r()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    type Outcomes = { outcomes: { status: string; effect?: string }[] };

    /**
     * Starts the bundle in a fresh `node` with `event`: the child imports the bundle, says READY on stdout and runs
     * the handler when it reads a line on stdin. `go()` sends that line; `result` is the handler's answer.
     */
    function cold(event: unknown): { ready: Promise<void>; go(): void; result: Promise<Outcomes> } {
      const eventFile = join(dir, `event-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(eventFile, JSON.stringify(event));
      const probe = `
        import { readFileSync } from "node:fs";
        import { once } from "node:events";
        const { handler } = await import(${JSON.stringify(pathToFileURL(resolve(bundle)).href)});
        const event = JSON.parse(readFileSync(${JSON.stringify(eventFile)}, "utf8"));
        console.log("READY");
        await once(process.stdin, "data");
        const out = await handler(event, { awsRequestId: "req-" + process.pid });
        console.log("RESULT " + JSON.stringify(out));
        process.exit(0);
      `;
      const child = spawn(process.execPath, ["--input-type=module", "-e", probe], {
        stdio: ["pipe", "pipe", "pipe"],
        env: {
          PATH: process.env.PATH,
          ...OFFLINE_AWS_ENV,
          // Everything AWS on loopback: DynamoDB, ECS and CloudWatch on moto, Lambda Invoke on the stand-in.
          AWS_ENDPOINT_URL: moto.url,
          AWS_ENDPOINT_URL_LAMBDA: lambdaUrl,
          ECS_MEDIC_TABLE: table,
          WORKER_FUNCTION_NAME: "ecs-medic-test-worker",
          SLACK_BOT_TOKEN: "xoxb-test",
          SLACK_API_URL: stub.url,
          ECS_MEDIC_DEFAULT_CHANNEL: "C0INCIDENT",
        },
      });
      const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      let stdout = "";
      let stderr = "";
      let onReady: () => void = () => {};
      const ready = new Promise<void>((r) => (onReady = r));
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("READY\n")) onReady();
      });
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const result = new Promise<Outcomes>((resolveResult, reject) => {
        child.on("close", (code) => {
          clearTimeout(killer);
          const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
          if (code !== 0 || !line) return reject(new Error(`cold process exited ${code}: ${stderr}`));
          resolveResult(JSON.parse(line.slice("RESULT ".length)) as Outcomes);
        });
      });
      // A child that dies before READY must not leave the test waiting for it.
      void result.catch(() => onReady());
      return { ready, go: () => child.stdin.end("go\n"), result };
    }

    /** One cold process, started at once. */
    async function coldNow(event: unknown): Promise<Outcomes> {
      const c = cold(event);
      await c.ready;
      c.go();
      return c.result;
    }

    it("the same new alarm delivered at once by 6 cold processes → one job, one post; repeats thread; OK resolves", async () => {
      invokes.length = 0;
      const event = snsEvent(snsAlarmMessage({}), "cold-1");
      // Other SNS deliveries of the same transition too (other ids): the incident decides, not only the delivery id.
      const events = [
        event,
        event,
        event,
        snsEvent(snsAlarmMessage({}), "cold-2"),
        event,
        snsEvent(snsAlarmMessage({}), "cold-3"),
      ];
      // All six loaded and waiting, then released together: the deliveries race, not the imports.
      const children = events.map((e) => cold(e));
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.go();
      const outs = await Promise.all(children.map((c) => c.result));
      const statuses = outs.flatMap((o) => o.outcomes.map((x) => x.effect ?? x.status));
      console.log(`6 cold processes: ${JSON.stringify(statuses)}; Lambda invokes ${invokes.length}`);
      await worker.settle();
      expect(statuses.filter((s) => s === "open")).toHaveLength(1);
      // The other five: a repeated delivery id is refused by its claim ("duplicate"), another id of the same
      // transition by the incident ("ignore"). Across processes moto's conditional PutItem is not atomic (see
      // serialDynamo), so a repeated id can pass its claim and is then stopped by the incident: still no second post.
      expect(statuses.filter((s) => s === "duplicate" || s === "ignore")).toHaveLength(5);
      expect(invokes).toHaveLength(1);
      expect(invokes[0]).toMatchObject({ service: "payment-api", cluster: "prod", channel: "C0INCIDENT" });
      expect(topLevelPosts()).toHaveLength(1);

      // Later (wall clock inside the bundle): a repeat notification threads; the OK marks the post resolved.
      const repeat = await coldNow(snsEvent(snsAlarmMessage({ at: "2026-11-26T10:05:00.000+0000" }), "cold-4"));
      expect(repeat.outcomes[0]).toMatchObject({ effect: "repeat" });
      expect(stub.calls.filter((c) => c.args.thread_ts).length).toBeGreaterThanOrEqual(1);
      const ok = await coldNow(
        snsEvent(snsAlarmMessage({ state: "OK", at: "2026-11-26T10:25:00.000+0000" }), "cold-5"),
      );
      expect(ok.outcomes[0]).toMatchObject({ effect: "resolve" });
      expect(JSON.stringify(stub.calls.filter((c) => c.method === "chat.update").at(-1)?.args.blocks)).toContain(
        "resolved",
      );
      expect(topLevelPosts()).toHaveLength(1);
    }, 120_000);
  });
});
