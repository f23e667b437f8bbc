/**
 * Nobody left waiting, the two holes `npm run chaos` found: the job table failing before anything was posted, and a
 * failure message the channel would not take. In both the requester must still hear, through response_url.
 */
import { DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { handler, resetWorkerForTests } from "../../src/handlers/worker";
import { sdkService } from "../fixtures/aws";
import { accessDenied } from "../fixtures/errors";
import { accessConfigFile, OPEN_ACCESS } from "../helpers/access-config";
import { answerEverything, mockAllClients } from "../helpers/estate";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";

const mocks = mockAllClients();
let stub: SlackStub;
let broken: Server;
let brokenUrl = "";

const job = {
  kind: "diagnose",
  jobId: "13345224609.738474920.0badc0de",
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
  // A DynamoDB endpoint that answers every request with a 500 (as a failing service would, after the SDK's retries).
  broken = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
      res.end(
        JSON.stringify({
          __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
          message: "Internal server error",
        }),
      );
    });
  });
  await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
  const address = broken.address();
  brokenUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  await stub.close();
  await new Promise<void>((resolve) => broken.close(() => resolve()));
});
beforeEach(() => {
  vi.stubEnv("SLACK_BOT_TOKEN", "xoxb-0000-test");
  vi.stubEnv("SLACK_API_URL", stub.url);
  vi.stubEnv("ECS_MEDIC_TABLE", "");
  vi.stubEnv("ECS_MEDIC_CONFIG", accessConfigFile(OPEN_ACCESS));
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  vi.spyOn(console, "log").mockImplementation(() => undefined);
  resetWorkerForTests();
  stub.calls.length = 0;
  for (const m of Object.values(mocks)) m.reset();
  answerEverything(mocks, []);
  mocks.ecs.on(DescribeServicesCommand).resolves({ services: [sdkService()], failures: [] });
  mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("the worker never leaves the requester in silence", () => {
  it("a job table that fails before anything is posted: the requester is told, then the invocation fails (retry)", async () => {
    vi.stubEnv("ECS_MEDIC_TABLE", "ecs-medic-broken");
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", brokenUrl);
    vi.stubEnv("AWS_ACCESS_KEY_ID", "testing");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "testing");
    vi.stubEnv("AWS_REGION", "us-east-1");
    await expect(handler({ ...job, responseUrl: `${stub.responseUrl}/commands/T0001/1` })).rejects.toThrow();
    expect(stub.calls.filter((c) => c.method === "chat.postMessage")).toEqual([]);
    const told = stub.calls.filter((c) => c.method.startsWith("response"));
    expect(told).toHaveLength(1);
    expect(told[0]!.args).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(String(told[0]!.args.text)).toMatch(/could not start the diagnosis of payment-api .*retry once/);
  }, 30_000);

  it("a failure the channel will not take (chat.update refused): the requester gets it through response_url", async () => {
    mocks.ecs.on(DescribeServicesCommand).rejects(accessDenied("ecs:DescribeServices"));
    stub.failIf((c) => c.method === "chat.update", "ratelimited");
    const outcome = await handler({ ...job, responseUrl: `${stub.responseUrl}/commands/T0001/2` });
    expect(outcome.status).toBe("failed");
    const told = stub.calls.filter((c) => c.method.startsWith("response"));
    expect(told).toHaveLength(1);
    expect(String(told[0]!.args.text)).toMatch(
      /ecs:DescribeServices.*could not update the message in this channel: ratelimited/s,
    );
  });
});
