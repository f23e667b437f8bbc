/** The real `worker` Lambda handler: env-configured, Slack stubbed on loopback, AWS mocked. */
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { handler, resetWorkerForTests } from "../../src/handlers/worker";
import { sdkService } from "../fixtures/aws";
import { answerEverything, mockAllClients } from "../helpers/estate";
import { tableDefinition } from "../../src/store/table";
import { motoAvailable, type Moto } from "../helpers/moto";
import { workerMoto } from "../helpers/shared-moto";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";
import { accessConfigFile, OPEN_ACCESS } from "../helpers/access-config";

const mocks = mockAllClients();
let stub: SlackStub;

const job = {
  kind: "diagnose",
  jobId: "13345224609.738474920.feedface",
  service: "payment-api",
  cluster: "prod",
  since: "1h",
  channel: "C0INCIDENT",
  user: "U0ONCALL",
  teamId: "T0001",
  requestedAt: "2026-11-26T10:00:00Z",
};

beforeAll(async () => {
  stub = await startSlackStub();
});
afterAll(async () => stub.close());
beforeEach(() => {
  vi.stubEnv("SLACK_BOT_TOKEN", "xoxb-0000-test");
  vi.stubEnv("SLACK_API_URL", stub.url);
  vi.stubEnv("ECS_MEDIC_TABLE", "");
  resetWorkerForTests();
  // Not a test of access (test/faults/slack-faults.test.ts is): every read-only command open to the test workspace.
  vi.stubEnv("ECS_MEDIC_CONFIG", accessConfigFile(OPEN_ACCESS));
  stub.calls.length = 0;
  stub.uploads.length = 0;
  for (const m of Object.values(mocks)) m.reset();
  answerEverything(mocks, []);
  mocks.ecs.on(DescribeServicesCommand).resolves({ services: [sdkService()], failures: [] });
  mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
});
afterEach(() => vi.unstubAllEnvs());

describe("worker handler", () => {
  it("runs a job and posts the report; the same event again posts nothing", async () => {
    const first = await handler(job);
    expect(first.status).toBe("posted");
    const calls = stub.calls.length;
    expect(calls).toBeGreaterThan(1);
    expect(await handler(job)).toEqual({ status: "duplicate" });
    expect(stub.calls.length).toBe(calls);
  });

  it("dispatches an export job to the export runner, which uploads the bundle into the thread", async () => {
    const outcome = await handler({
      ...job,
      kind: "export",
      via: "slack-button",
      jobId: "13345224609.738474920.export",
      threadTs: "1764151200.000001",
    });
    expect(outcome.status).toBe("posted");
    expect(stub.calls.map((c) => c.method)).toContain("files.completeUploadExternal");
    expect(stub.uploads.map((u) => u.filename).sort()).toEqual(["evidence.json", "manifest.json", "timeline.md"]);
  });

  it.each([
    { case: "not a job", event: { hello: "world" } },
    { case: "a job without a channel", event: { ...job, channel: "" } },
    { case: "nothing", event: undefined },
  ])("drops $case without touching Slack", async ({ event }) => {
    expect(await handler(event)).toEqual({ status: "failed", reason: "malformed job" });
    expect(stub.calls).toEqual([]);
  });

  it("fails clearly when the bot token is not configured, and tells the requester through response_url", async () => {
    vi.stubEnv("SLACK_BOT_TOKEN", "");
    resetWorkerForTests();
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await expect(
      handler({ ...job, jobId: "other", responseUrl: `${stub.responseUrl}/commands/T0001/42` }),
    ).rejects.toThrow(/SLACK_BOT_TOKEN is not configured: set SLACK_BOT_TOKEN .* or SLACK_BOT_TOKEN_PARAM/);
    const told = stub.calls.find((c) => c.method === "response/commands/T0001/42");
    expect(told?.args).toMatchObject({ response_type: "ephemeral" });
    expect(JSON.stringify(told?.args)).toContain("could not start the diagnosis of payment-api");
    expect(logged).toHaveBeenCalled();
  });
});

describe.skipIf(!motoAvailable())("worker handler with its DynamoDB table (moto_server)", () => {
  let moto: Moto;
  let dynamo: DynamoDBClient;
  beforeAll(async () => {
    moto = await workerMoto();
    dynamo = new DynamoDBClient({
      endpoint: moto.url,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await dynamo.send(new CreateTableCommand(tableDefinition("ecs-medic-worker-test")));
  }, 60_000);
  afterAll(async () => {
    dynamo?.destroy();
    await moto?.stop();
  });

  it("claims the job in the table, records the message and marks it done; a redelivery posts nothing", async () => {
    vi.stubEnv("ECS_MEDIC_TABLE", "ecs-medic-worker-test");
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", moto.url);
    resetWorkerForTests();
    const event = { ...job, jobId: "13345224609.738474920.dynamo" };

    const first = await handler(event);
    expect(first.status).toBe("posted");
    const calls = stub.calls.length;
    resetWorkerForTests(); // a new container: only the table remembers
    expect(await handler(event)).toEqual({ status: "duplicate" });
    expect(stub.calls.length).toBe(calls);

    const item = await dynamo.send(
      new GetItemCommand({
        TableName: "ecs-medic-worker-test",
        Key: { pk: { S: `claim#diagnose#${event.jobId}` }, sk: { S: "claim" } },
      }),
    );
    expect(item.Item?.state?.S).toBe("done");
    expect(item.Item?.ts?.S).toBe(first.status === "posted" ? first.ts : "");
  });
});
