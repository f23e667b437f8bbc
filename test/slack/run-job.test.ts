/**
 * The worker's job runner against a local stand-in for the Slack Web API, with AWS mocked: what the channel sees.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListTasksCommand,
} from "@aws-sdk/client-ecs";
import { LookupEventsCommand, type LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import type { DiagnoseJob } from "../../src/slack/job";
import { runDiagnoseJob, type WorkerDeps, type WorkerOptions } from "../../src/slack/run-job";
import { createDeps } from "../../src/app/deps";
import { MemoryIdempotencyStore } from "../../src/store/idempotency";
import { ACCOUNT, NOW, REGION, sdkService, sdkStoppedTask } from "../fixtures/aws";
import { PATH_CHANGES } from "../fixtures/cloudtrail-changes";
import { accessDenied } from "../fixtures/errors";
import { instantLimiter } from "../helpers/context";
import { answerEverything, mockAllClients } from "../helpers/estate";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";

const mocks = mockAllClients();
const playbooks = loadPlaybooks();
let stub: SlackStub;

const job = (overrides: Partial<DiagnoseJob> = {}): DiagnoseJob => ({
  kind: "diagnose",
  jobId: "13345224609.738474920.8088930838d88f008e0",
  service: "payment-api",
  cluster: "prod",
  since: "1h",
  channel: "C0INCIDENT",
  user: "U0ONCALL",
  teamId: "T0001",
  responseUrl: `${"http://placeholder"}/response`,
  requestedAt: NOW,
  ...overrides,
});

function deps(overrides: Partial<WorkerDeps> = {}): WorkerDeps {
  return {
    ...createDeps({
      aws: () => createClients({ region: REGION, maxAttempts: 1 }),
      store: new MemoryIdempotencyStore(),
      playbooks: () => playbooks,
      clock: fixedClock(NOW),
      homeRegion: REGION,
      cloudTrailLimiter: instantLimiter(),
    }),
    slack: { web: new WebClient("xoxb-0000-test", { slackApiUrl: stub.url, retryConfig: { retries: 0 } }) },
    ...overrides,
  };
}
const run = (j: DiagnoseJob, d: WorkerDeps, options: WorkerOptions = {}) =>
  runDiagnoseJob(j, d, { progressIntervalMs: 0, ...options });

const methods = () => stub.calls.map((c) => c.method);
const finalUpdate = () => [...stub.calls].reverse().find((c) => c.method === "chat.update");

beforeAll(async () => {
  stub = await startSlackStub();
});
afterAll(async () => stub.close());
beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
  stub.calls.length = 0;
  answerEverything(mocks, [
    sdkStoppedTask(5, { exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" }),
  ]);
  mocks.ecs.on(DescribeServicesCommand).resolves({ services: [sdkService()], failures: [] });
  mocks.ecs.on(ListTasksCommand, { desiredStatus: "STOPPED" }).resolves({ taskArns: [] });
  mocks.ecs.on(ListTasksCommand, { desiredStatus: "RUNNING" }).resolves({ taskArns: [] });
});

describe("runDiagnoseJob", () => {
  it("posts at once, updates the same message with the report, and puts the detail in its thread", async () => {
    const outcome = await run(job(), deps());

    expect(outcome).toMatchObject({ status: "posted", channel: "C0INCIDENT" });
    const [first] = stub.calls;
    expect(first?.method).toBe("chat.postMessage");
    expect(String(first?.args.text)).toMatch(/diagnosing payment-api/i);
    const ts = outcome.status === "posted" ? outcome.ts : "";
    const final = finalUpdate();
    expect(final?.args).toMatchObject({ channel: "C0INCIDENT", ts });
    expect(Array.isArray(final?.args.blocks)).toBe(true);
    expect(JSON.stringify(final?.args.blocks)).toContain("payment-api");
    const threadReplies = stub.calls.filter((c) => c.method === "chat.postMessage" && c.args.thread_ts === ts);
    expect(threadReplies.length).toBeGreaterThan(0);
  });

  it("posts once when the same job is delivered twice (async Lambda retries)", async () => {
    const shared = deps();
    await run(job(), shared);
    const before = stub.calls.length;
    expect(await run(job(), shared)).toEqual({ status: "duplicate" });
    expect(stub.calls.length).toBe(before);
  });

  it("lists the candidates when the name is ambiguous", async () => {
    const arn = (c: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${c}`;
    mocks.ecs.on(ListClustersCommand).resolves({ clusterArns: [arn("prod"), arn("staging")] });
    mocks.ecs.on(DescribeServicesCommand).callsFake((input: { cluster: string }) => ({
      services: [
        sdkService({
          clusterArn: input.cluster,
          serviceArn: `${input.cluster.replace(":cluster/", ":service/")}/payment-api`,
        }),
      ],
    }));
    const outcome = await run(job({ cluster: undefined }), deps());
    expect(outcome.status).toBe("failed");
    const text = JSON.stringify(finalUpdate()?.args);
    expect(text).toContain("staging");
    expect(text).toContain("/ecs diagnose payment-api");
  });

  it("ends with a readable message naming the permission when AWS denies the first read", async () => {
    mocks.ecs.on(DescribeServicesCommand).rejects(accessDenied("ecs:DescribeServices"));
    const outcome = await run(job(), deps());
    expect(outcome.status).toBe("failed");
    expect(JSON.stringify(finalUpdate()?.args)).toContain("ecs:DescribeServices");
  });

  it("ends with a readable message for an unknown service", async () => {
    mocks.ecs.on(DescribeServicesCommand).resolves({
      services: [],
      failures: [{ arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/nope`, reason: "MISSING" }],
    });
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    await run(job({ service: "nope" }), deps());
    expect(JSON.stringify(finalUpdate()?.args)).toContain('No active service \\"nope\\" in cluster prod');
  });

  it("tells the requester privately when it cannot post in the channel", async () => {
    stub.failNext("chat.postMessage", "not_in_channel");
    const outcome = await run(job({ responseUrl: `${stub.responseUrl}/commands/1` }), deps());
    expect(outcome).toEqual({ status: "failed", reason: "not_in_channel" });
    const reply = stub.calls.find((c) => c.method === "response/commands/1");
    expect(reply?.args).toMatchObject({ response_type: "ephemeral" });
    expect(String(reply?.args.text)).toContain("/invite @ecs-medic");
    expect(methods().filter((m) => m === "chat.update")).toEqual([]);
  });

  it("sends at most one progress update per interval, and the report last", async () => {
    await run(job(), deps(), { progressIntervalMs: 60_000 });
    const updates = stub.calls.filter((c) => c.method === "chat.update");
    expect(updates.length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(updates.at(-1)?.args.blocks)).not.toMatch(/diagnosing payment-api — \d+\/11/i);
  });

  it("keeps the report when a thread reply is refused", async () => {
    stub.failIf((c) => c.method === "chat.postMessage" && c.args.thread_ts !== undefined, "ratelimited");
    const outcome = await run(job(), deps());
    expect(outcome.status).toBe("posted");
    const text = JSON.stringify(finalUpdate()?.args);
    expect(text).toContain('"block_id":"verdict"');
    expect(text).not.toMatch(/Cannot collect evidence|Slack refused/);
  });

  it("reports a timeout, naming the steps still running, instead of leaving the message at 'diagnosing'", async () => {
    mocks.ecs.on(DescribeTaskDefinitionCommand).callsFake(() => new Promise(() => undefined));
    mocks.ecs.on(ListTasksCommand).callsFake(() => new Promise(() => undefined));
    const outcome = await run(job(), deps(), { timeBudgetMs: 300 });
    expect(outcome.status).toBe("failed");
    const text = JSON.stringify(finalUpdate()?.args);
    expect(text).toContain("ran out of time");
    expect(text).toContain("Stopped tasks");
  });

  it("resumes the message of a run that crashed instead of posting a second one", async () => {
    const store = new MemoryIdempotencyStore();
    const crashedAt = new Date(Date.parse(NOW) - 10 * 60_000);
    await store.claim(`diagnose#${job().jobId}`, {
      owner: "crashed-run",
      leaseSeconds: 330,
      ttlSeconds: 86_400,
      now: crashedAt,
    });
    await store.recordMessage(`diagnose#${job().jobId}`, "1764150600.000042");

    const outcome = await run(job(), deps({ store }));

    expect(outcome).toMatchObject({ status: "posted", ts: "1764150600.000042" });
    expect(stub.calls.filter((c) => c.method === "chat.postMessage" && c.args.thread_ts === undefined)).toEqual([]);
  });

  it("tells a person who retypes the command while the first run is going that the report is on its way", async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim("inflight#C0INCIDENT#prod#payment-api", {
      owner: "first-job",
      leaseSeconds: 330,
      ttlSeconds: 330,
      now: new Date(NOW),
    });

    const outcome = await run(
      job({ jobId: "second-job", responseUrl: `${stub.responseUrl}/commands/2` }),
      deps({ store }),
    );

    expect(outcome).toEqual({ status: "busy" });
    expect(stub.calls.filter((c) => c.method.startsWith("chat."))).toEqual([]);
    expect(String(stub.calls.find((c) => c.method === "response/commands/2")?.args.text)).toContain(
      "already running in this channel",
    );
  });

  it("frees the service for the next run once the report is posted", async () => {
    const shared = deps();
    expect((await run(job({ jobId: "run-1" }), shared)).status).toBe("posted");
    expect((await run(job({ jobId: "run-2" }), shared)).status).toBe("posted");
  });
});

describe("runDiagnoseJob with CloudTrail off the critical path", () => {
  it("posts the report while step 10 still reads, then updates the same message when it ends", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    mocks.cloudtrail.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput) => {
      await released;
      return { Events: input.LookupAttributes?.[0]?.AttributeKey === "ReadOnly" ? [] : [PATH_CHANGES.service] };
    });
    // The injected wait: the grace is over as soon as every other step is done; CloudTrail answers after that.
    const sleep = async () => {
      setImmediate(release);
    };

    const outcome = await run(job(), deps(), { changes: { sleep } });

    expect(outcome.status).toBe("posted");
    const ts = outcome.status === "posted" ? outcome.ts : "";
    const updates = stub.calls.filter((c) => c.method === "chat.update" && c.args.ts === ts);
    const reports = updates.map((u) => JSON.stringify(u.args.blocks)).filter((b) => b.includes('"block_id":"serving"'));
    expect(reports).toHaveLength(2);
    expect(reports[0]).toContain("recent changes: still reading");
    expect(reports[1]).not.toContain("still reading");
    // Nothing failed before the deployment here, so it is context (no suspect line), and the check order is whole.
    expect(reports[1]).not.toContain("Suspect change:");
    // The update comes after the thread: the report was readable before CloudTrail answered.
    const lastThreadReply = stub.calls
      .map((c) => c.args.thread_ts === ts && c.method === "chat.postMessage")
      .lastIndexOf(true);
    expect(stub.calls.indexOf(updates[updates.length - 1]!)).toBeGreaterThan(lastThreadReply);
  });
});
