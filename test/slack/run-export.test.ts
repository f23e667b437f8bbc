/**
 * The export job through the local Slack stand-in, AWS mocked: files.uploadV2's three calls (getUploadURLExternal,
 * the upload URL, completeUploadExternal) land in the report's thread, zipped when large, split beyond the per-file
 * limit; the thread says what was exported, by whom, and the manifest hash.
 */
import { DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { WebClient } from "@slack/web-api";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDeps } from "../../src/app/deps";
import { createClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { sha256Hex, verifyBundle } from "../../src/evidence/bundle";
import { violations } from "../../src/render/slack";
import type { ExportJob } from "../../src/slack/job";
import { WorkerJobSchema } from "../../src/slack/job";
import { packForSlack, runExportJob } from "../../src/slack/run-export";
import type { WorkerDeps } from "../../src/slack/run-job";
import { MemoryIdempotencyStore } from "../../src/store/idempotency";
import { NOW, REGION, sdkService, sdkStoppedTask } from "../fixtures/aws";
import { instantLimiter } from "../helpers/context";
import { answerEverything, mockAllClients } from "../helpers/estate";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";

const mocks = mockAllClients();
const playbooks = loadPlaybooks();
let stub: SlackStub;

const job = (overrides: Partial<ExportJob> = {}): ExportJob => ({
  kind: "export",
  via: "slack-button",
  jobId: "13345224609.738474920.export",
  service: "payment-api",
  cluster: "prod",
  region: REGION,
  since: "1h",
  channel: "C0INCIDENT",
  user: "U04ALICE",
  requestedAt: NOW,
  threadTs: "1764151200.000100",
  ...overrides,
});

const logs: unknown[] = [];
function deps(): WorkerDeps {
  return {
    ...createDeps({
      aws: () => createClients({ region: REGION, maxAttempts: 1 }),
      store: new MemoryIdempotencyStore(),
      playbooks: () => playbooks,
      clock: fixedClock(NOW),
      homeRegion: REGION,
      cloudTrailLimiter: instantLimiter(),
      logger: {
        debug: () => undefined,
        info: (m, f) => logs.push({ m, f }),
        warn: (m, f) => logs.push({ m, f }),
        error: (m, f) => logs.push({ m, f }),
      },
    }),
    slack: { web: new WebClient("xoxb-0000-test", { slackApiUrl: stub.url, retryConfig: { retries: 0 } }) },
  };
}

beforeAll(async () => {
  stub = await startSlackStub();
});
afterAll(async () => stub.close());
beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
  stub.calls.length = 0;
  stub.uploads.length = 0;
  logs.length = 0;
  answerEverything(mocks, [
    sdkStoppedTask(5, { exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" }),
  ]);
  mocks.ecs.on(DescribeServicesCommand).resolves({ services: [sdkService()], failures: [] });
  mocks.ecs.on(ListTasksCommand, { desiredStatus: "RUNNING" }).resolves({ taskArns: [] });
});

describe("runExportJob", () => {
  it("uploads the three files into the report's thread and says what, by whom, and the manifest hash", async () => {
    const outcome = await runExportJob(job(), deps());
    expect(outcome).toMatchObject({ status: "posted", channel: "C0INCIDENT" });

    const methods = stub.calls.map((c) => c.method);
    expect(methods).toEqual([
      "chat.postMessage",
      "files.getUploadURLExternal",
      "files.getUploadURLExternal",
      "files.getUploadURLExternal",
      "files.completeUploadExternal",
      "chat.update",
    ]);
    expect(stub.uploads).toHaveLength(3);
    expect(stub.calls[0]!.args).toMatchObject({ channel: "C0INCIDENT", thread_ts: "1764151200.000100" });
    const complete = stub.calls.find((c) => c.method === "files.completeUploadExternal")!;
    expect(complete.args).toMatchObject({ channel_id: "C0INCIDENT", thread_ts: "1764151200.000100" });

    // What Slack received is the bundle, and it verifies.
    const received = new Map(stub.uploads.map((u) => [u.filename, new Uint8Array(u.bytes)]));
    expect([...received.keys()].sort()).toEqual(["evidence.json", "manifest.json", "timeline.md"]);
    const verified = verifyBundle((n) => received.get(n));
    expect(verified.ok).toBe(true);

    const summary = stub.calls.find((c) => c.method === "chat.update")!;
    const blocks = JSON.stringify(summary.args.blocks);
    expect(blocks).toContain("<@U04ALICE>");
    expect(blocks).toContain(verified.manifestSha256);
    expect(blocks).toContain("timeline.md");
    expect(violations({ text: String(summary.args.text), blocks: summary.args.blocks as never })).toEqual([]);
  });

  it("posts a new message for /ecs evidence and uploads into its thread", async () => {
    const outcome = await runExportJob(job({ threadTs: undefined, via: "slack-command" }), deps());
    expect(outcome.status).toBe("posted");
    const ts = outcome.status === "posted" ? outcome.ts : "";
    expect(stub.calls[0]!.args.thread_ts).toBeUndefined();
    const complete = stub.calls.find((c) => c.method === "files.completeUploadExternal")!;
    expect(complete.args.thread_ts).toBe(ts);
  });

  it("zips a large bundle into one file that unzips to the verified bundle", async () => {
    await runExportJob(job(), deps(), { zipAboveBytes: 1000 });
    expect(stub.uploads).toHaveLength(1);
    expect(stub.uploads[0]!.filename).toMatch(/^ecs-medic-evidence-payment-api-\d{8}-\d{4}\.zip$/);
    const files = unzipSync(new Uint8Array(stub.uploads[0]!.bytes));
    expect(Object.keys(files).sort()).toEqual(["evidence.json", "manifest.json", "timeline.md"]);
    expect(verifyBundle((n) => files[n]).ok).toBe(true);
  });

  it("splits a zip beyond the per-file limit into numbered parts that join back", async () => {
    await runExportJob(job(), deps(), { zipAboveBytes: 1000, maxFileBytes: 4000 });
    expect(stub.uploads.length).toBeGreaterThan(1);
    const parts = [...stub.uploads].sort((a, b) => a.filename.localeCompare(b.filename));
    expect(parts.map((p) => p.filename)).toEqual(
      parts.map((_, i) => expect.stringMatching(new RegExp(`\\.zip\\.${String(i + 1).padStart(3, "0")}$`))),
    );
    const joined = new Uint8Array(Buffer.concat(parts.map((p) => p.bytes)));
    expect(verifyBundle((n) => unzipSync(joined)[n]).ok).toBe(true);
  });

  it.each([
    {
      case: "done",
      copyTo: async () => "s3://incident-evidence/evidence/x/",
      says: "also kept at s3://incident-evidence/evidence/x/",
    },
    {
      case: "failing",
      copyTo: async () => {
        throw Object.assign(new Error("Access Denied"), { name: "AccessDenied" });
      },
      says: "the retention copy failed",
    },
  ])("says in the summary where the retention copy went ($case); the Slack upload stands", async ({ copyTo, says }) => {
    const outcome = await runExportJob(job(), deps(), { copyTo });
    expect(outcome.status).toBe("posted");
    expect(stub.uploads).toHaveLength(3);
    const summary = stub.calls.find((c) => c.method === "chat.update")!;
    expect(JSON.stringify(summary.args.blocks)).toContain(says);
  });

  it("ignores a repeated delivery of the same job", async () => {
    const d = deps();
    await runExportJob(job(), d);
    const before = stub.calls.length;
    expect(await runExportJob(job(), d)).toEqual({ status: "duplicate" });
    expect(stub.calls.length).toBe(before);
  });

  it("says so in the thread when Slack refuses the upload", async () => {
    stub.failNext("files.getUploadURLExternal", "missing_scope");
    const outcome = await runExportJob(job(), deps());
    expect(outcome).toMatchObject({ status: "failed", reason: "missing_scope" });
    const last = stub.calls[stub.calls.length - 1]!;
    expect(last.method).toBe("chat.update");
    expect(JSON.stringify(last.args.blocks)).toContain("Could not upload the evidence of payment-api");
  });

  it("is a job the worker accepts", () => {
    expect(WorkerJobSchema.safeParse(job()).success).toBe(true);
    expect(WorkerJobSchema.safeParse({ ...job(), via: "carrier pigeon" }).success).toBe(false);
  });
});

describe("packForSlack", () => {
  const files = [
    { name: "timeline.md", bytes: new TextEncoder().encode("# t\n".repeat(100)) },
    { name: "manifest.json", bytes: new TextEncoder().encode("{}") },
  ];
  it("zips to the same bytes for the same bundle and time", () => {
    const opts = { baseName: "b", zipAboveBytes: 10, maxFileBytes: 1_000_000, mtime: NOW };
    const a = packForSlack(files, opts);
    const b = packForSlack(files, opts);
    expect(sha256Hex(a[0]!.bytes)).toBe(sha256Hex(b[0]!.bytes));
  });
  it("leaves a small bundle as it is", () => {
    expect(packForSlack(files, { baseName: "b", zipAboveBytes: 10_000, maxFileBytes: 1_000_000, mtime: NOW })).toEqual(
      files,
    );
  });
});
