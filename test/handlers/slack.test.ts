/**
 * The real `slack` Lambda handler, fed Lambda function-URL events signed with Slack's v0 scheme
 * (HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret).
 */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { resetCredentialsForTests } from "../../src/slack/credentials";
import { mockClient } from "aws-sdk-client-mock";
import type { Context, LambdaFunctionURLEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { handler, setDispatchForTests } from "../../src/handlers/slack";
import type { Job } from "../../src/slack/job";
import { signValue } from "../../src/actions/sign";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";
import { accessConfigFile, OPEN_ACCESS } from "../helpers/access-config";
import { functionUrlEvent, slackSignature } from "../helpers/slack-request";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const NOW = new Date("2026-11-26T10:00:00Z");
const context = { functionName: "ecs-medic-slack", awsRequestId: "req-1" } as Context;

let stub: SlackStub;
let jobs: Job[];

function commandBody(text: string, overrides: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: "legacy-verification-token-unused",
    team_id: "T0001",
    team_domain: "acme",
    channel_id: "C0INCIDENT",
    channel_name: "inc-payment-api",
    user_id: "U0ONCALL",
    user_name: "oncall",
    command: "/ecs",
    text,
    api_app_id: "A0ECSMEDIC",
    is_enterprise_install: "false",
    response_url: `${stub.responseUrl}/commands/T0001/1234`,
    trigger_id: "13345224609.738474920.8088930838d88f008e0",
    ...overrides,
  }).toString();
}

function sign(body: string, timestamp: number, secret = SECRET): string {
  return slackSignature(body, timestamp, secret);
}

function urlEvent(body: string, headers: Record<string, string | undefined>, base64 = false): LambdaFunctionURLEvent {
  return functionUrlEvent(body, headers, NOW, base64);
}

const ts = () => Math.floor(NOW.getTime() / 1000);
const signed = (body: string, extra: Record<string, string> = {}, base64 = false) =>
  urlEvent(
    body,
    { "x-slack-request-timestamp": String(ts()), "x-slack-signature": sign(body, ts()), ...extra },
    base64,
  );

/**
 * A loopback TCP server that accepts connections and never answers: a stalled AWS endpoint or response_url. A mock
 * that never resolves would bypass the SDK's request handler; this exercises the real timeouts.
 */
async function startBlackHole(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => sockets.length,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback HTTP server answering every request with `status`. */
async function startHttp(status: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server: HttpServer = createHttpServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.statusCode = status;
      res.end("expired_url");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Captures the handler's JSON log lines (console.log) for the duration of a test. */
function captureLogs(): { messages: () => Array<Record<string, unknown>> } {
  const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
  return {
    messages: () =>
      spy.mock.calls.flatMap(([line]) => {
        try {
          return [JSON.parse(String(line)) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
  };
}

beforeAll(async () => {
  stub = await startSlackStub();
});
afterAll(async () => stub.close());

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  vi.stubEnv("SLACK_SIGNING_SECRET", SECRET);
  vi.stubEnv("SLACK_BOT_TOKEN", "xoxb-0000-test");
  vi.stubEnv("SLACK_API_URL", stub.url);
  // Not a test of access (test/faults/slack-faults.test.ts is): every read-only command open to the test workspace.
  vi.stubEnv("ECS_MEDIC_CONFIG", accessConfigFile(OPEN_ACCESS));
  jobs = [];
  setDispatchForTests(async (job) => {
    jobs.push(job);
  });
  stub.calls.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  setDispatchForTests(undefined);
  resetCredentialsForTests();
});

describe("slack handler: /ecs diagnose", () => {
  it("acks at once with an ephemeral message and dispatches exactly one job", async () => {
    const body = commandBody("diagnose payment-api prod --since 2h");
    const cold = await handler(signed(body), context);
    expect(cold.statusCode).toBe(200);
    expect(JSON.parse(cold.body ?? "{}")).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("Diagnosing *payment-api* in prod"),
    });
    expect(jobs).toEqual([
      {
        kind: "diagnose",
        jobId: "13345224609.738474920.8088930838d88f008e0",
        service: "payment-api",
        cluster: "prod",
        since: "2h",
        channel: "C0INCIDENT",
        channelName: "inc-payment-api",
        user: "U0ONCALL",
        teamId: "T0001",
        responseUrl: `${stub.responseUrl}/commands/T0001/1234`,
        requestedAt: NOW.toISOString(),
      },
    ]);
    const warm = await handler(signed(commandBody("diagnose checkout")), context);
    expect(warm.statusCode).toBe(200);
    // The cold-start time is measured where it means something: a fresh Node importing the built bundle
    // (test/deploy/build.test.ts). Here the module is already loaded and the secret comes from env.
    expect(stub.calls).toEqual([]); // no auth.test, no Web API call on the ack path
  });

  it("acks /ecs evidence and dispatches an export job for the worker", async () => {
    const res = await handler(signed(commandBody("evidence payment-api prod")), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? "{}").text).toContain(
      "Exporting the evidence of *payment-api* in prod over the last 6h",
    );
    expect(jobs).toEqual([
      expect.objectContaining({ kind: "export", via: "slack-command", service: "payment-api", since: "6h" }),
    ]);
  });

  it("reads a base64-encoded body, as function URLs may send it", async () => {
    const res = await handler(signed(commandBody("diagnose payment-api"), {}, true), context);
    expect(res.statusCode).toBe(200);
    expect(jobs).toHaveLength(1);
  });

  it.each([
    {
      case: "a bad signature",
      headers: (body: string) => ({
        "x-slack-request-timestamp": String(ts()),
        "x-slack-signature": sign(body, ts(), "wrong-secret"),
      }),
    },
    {
      case: "a timestamp older than 5 minutes",
      headers: (body: string) => ({
        "x-slack-request-timestamp": String(ts() - 301),
        "x-slack-signature": sign(body, ts() - 301),
      }),
    },
    { case: "no signature headers", headers: () => ({}) },
    {
      case: "a signature over another body",
      headers: () => ({ "x-slack-request-timestamp": String(ts()), "x-slack-signature": sign("text=other", ts()) }),
    },
  ])("answers 401 and starts nothing for $case", async ({ headers }) => {
    const body = commandBody("diagnose payment-api");
    const res = await handler(urlEvent(body, headers(body)), context);
    expect(res.statusCode).toBe(401);
    expect(jobs).toEqual([]);
  });

  it("drops a Slack retry (X-Slack-Retry-Num) without a second job", async () => {
    const body = commandBody("diagnose payment-api");
    await handler(signed(body), context);
    const retry = await handler(
      signed(body, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" }),
      context,
    );
    expect(retry.statusCode).toBe(200);
    expect(jobs).toHaveLength(1);
  });

  it.each([
    { case: "no service", text: "diagnose", says: "diagnose needs a service name" },
    { case: "an invalid name", text: "diagnose payment!api", says: "is not a valid ECS service name" },
    {
      case: "too many words",
      text: "diagnose payment api prod",
      says: "diagnose takes a service and an optional cluster",
    },
    { case: "an unknown verb", text: "reboot payment-api", says: 'unknown command "reboot"' },
    { case: "a bad window", text: "diagnose payment-api --since forever", says: "--since forever" },
  ])("answers $case with usage, privately, and starts nothing", async ({ text, says }) => {
    const res = await handler(signed(commandBody(text)), context);
    expect(res.statusCode).toBe(200);
    const reply = JSON.parse(res.body ?? "{}") as { response_type: string; text: string; blocks: unknown[] };
    expect(reply.response_type).toBe("ephemeral");
    expect(reply.text).toContain(says);
    expect(JSON.stringify(reply.blocks)).toContain("/ecs diagnose");
    expect(jobs).toEqual([]);
  });

  it("answers /ecs help with usage", async () => {
    const res = await handler(signed(commandBody("help")), context);
    expect(JSON.stringify(JSON.parse(res.body ?? "{}"))).toContain("/ecs diagnose");
    expect(jobs).toEqual([]);
  });

  it("tells the requester when the worker does not accept the job", async () => {
    setDispatchForTests(async () => {
      throw new Error("TooManyRequestsException: Rate Exceeded.");
    });
    const res = await handler(signed(commandBody("diagnose payment-api")), context);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? "{}")).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("could not start the diagnosis of payment-api"),
    });
  });
});

describe("slack handler: the real asynchronous worker invoke", () => {
  // Mocked only while this block runs (not from collection on): the stalled-endpoint tests below need the real client.
  const mockLambda = () => mockClient(LambdaClient);
  let lambda: ReturnType<typeof mockLambda>;
  beforeAll(() => {
    lambda = mockLambda();
  });
  afterEach(() => lambda.reset());
  afterAll(() => lambda.restore());

  it("invokes WORKER_FUNCTION_NAME once with InvocationType Event and the job as payload", async () => {
    vi.stubEnv("WORKER_FUNCTION_NAME", "ecs-medic-prod-worker");
    setDispatchForTests(undefined);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    const res = await handler(signed(commandBody("diagnose payment-api prod")), context);

    expect(res.statusCode).toBe(200);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: "ecs-medic-prod-worker", InvocationType: "Event" });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toMatchObject({
      kind: "diagnose",
      service: "payment-api",
      cluster: "prod",
    });
  });

  it("says so when Lambda does not queue the job", async () => {
    vi.stubEnv("WORKER_FUNCTION_NAME", "ecs-medic-prod-worker");
    setDispatchForTests(undefined);
    lambda.on(InvokeCommand).rejects(Object.assign(new Error("Rate Exceeded."), { name: "TooManyRequestsException" }));

    const res = await handler(signed(commandBody("diagnose payment-api")), context);

    expect(JSON.parse(res.body ?? "{}")).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("could not start the diagnosis"),
    });
  });
});

describe("slack handler: a rotated signing secret", () => {
  // Created per test and restored after it: a prototype-level mock would otherwise leak into the real-network tests.
  const newSsmMock = () => mockClient(SSMClient);
  let ssm: ReturnType<typeof newSsmMock>;
  beforeEach(() => {
    ssm = newSsmMock();
  });
  afterEach(() => {
    ssm.restore();
    resetCredentialsForTests();
  });

  it("re-reads the secret from SSM once after a failed signature and accepts the request signed with the new one", async () => {
    vi.stubEnv("SLACK_SIGNING_SECRET", "");
    vi.stubEnv("SLACK_SIGNING_SECRET_PARAM", "/ecs-medic/prod/slack/signing-secret");
    resetCredentialsForTests();
    setDispatchForTests(async (job) => void jobs.push(job));
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Name: "x", Type: "SecureString", Value: "old-secret" } })
      .resolves({ Parameter: { Name: "x", Type: "SecureString", Value: SECRET } });

    const res = await handler(signed(commandBody("diagnose payment-api")), context);

    expect(res.statusCode).toBe(200);
    expect(jobs).toHaveLength(1);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    // A forged request does not make it read SSM again within the minute.
    const body = commandBody("diagnose payment-api");
    const forged = await handler(
      urlEvent(body, { "x-slack-request-timestamp": String(ts()), "x-slack-signature": sign(body, ts(), "attacker") }),
      context,
    );
    expect(forged.statusCode).toBe(401);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });
});

describe("slack handler: buttons", () => {
  const KEY = "test-action-key-0123456789abcdef";
  const proposal = JSON.stringify({
    kind: "rollback",
    cluster: "prod",
    service: "payment-api",
    region: "us-east-1",
    expect: { taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/payment-api:43", desiredCount: 4 },
    change: { taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/payment-api:42" },
  });
  const buttonPress = (responseUrl: string, value = "{}", actionId = "ecs_medic_rollback") => {
    const payload = {
      type: "block_actions",
      team: { id: "T0001", domain: "acme" },
      user: { id: "U0ONCALL", username: "oncall", team_id: "T0001" },
      api_app_id: "A0ECSMEDIC",
      token: "legacy",
      container: { type: "message", message_ts: "1764151200.000001", channel_id: "C0INCIDENT", is_ephemeral: false },
      trigger_id: "13345224609.738474920.aaaa",
      channel: { id: "C0INCIDENT", name: "inc-payment-api" },
      message: {
        ts: "1764151200.000001",
        type: "message",
        text: "report",
        blocks: [{ type: "actions", elements: [] }],
      },
      response_url: responseUrl,
      actions: [
        {
          action_id: actionId,
          block_id: "actions",
          text: { type: "plain_text", text: "Roll back to payment-api:42" },
          value,
          type: "button",
          action_ts: "1764151201.000",
        },
      ],
    };
    return signed(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  };

  it("refuses every button, privately, when no signing key is configured; nothing is dispatched", async () => {
    const res = await handler(buttonPress(`${stub.responseUrl}/actions/T0001/5678`), context);
    expect(res.statusCode).toBe(200);
    const reply = stub.calls.find((c) => c.method === "response/actions/T0001/5678");
    expect(reply?.args).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(JSON.stringify(reply?.args)).toContain("no signing key");
    expect(jobs).toEqual([]);
  });

  it("hands a signed rollback click to the actions function, with the report it is on", async () => {
    vi.stubEnv("ECS_MEDIC_ACTION_KEY", KEY);
    setDispatchForTests(async (job) => void jobs.push(job));
    const res = await handler(buttonPress(`${stub.responseUrl}/actions/T0001/5678`, signValue(proposal, KEY)), context);
    expect(res.statusCode).toBe(200);
    expect(jobs).toEqual([
      expect.objectContaining({
        kind: "action",
        actionId: "ecs_medic_rollback",
        value: signValue(proposal, KEY),
        channel: "C0INCIDENT",
        user: "U0ONCALL",
        messageTs: "1764151200.000001",
      }),
    ]);
  });

  it.each([
    { case: "an unsigned value", value: () => proposal },
    { case: "a value signed with another key", value: () => signValue(proposal, "someone-elses-key") },
    {
      case: "a signed value with another service swapped in",
      value: () => signValue(proposal, KEY).replace('"payment-api"', '"billing-api"'),
    },
  ])("refuses $case before anything runs", async ({ value }) => {
    vi.stubEnv("ECS_MEDIC_ACTION_KEY", KEY);
    setDispatchForTests(async (job) => void jobs.push(job));
    const res = await handler(buttonPress(`${stub.responseUrl}/actions/T0001/5678`, value()), context);
    expect(res.statusCode).toBe(200);
    expect(jobs).toEqual([]);
    const reply = stub.calls.find((c) => c.method === "response/actions/T0001/5678");
    expect(JSON.stringify(reply?.args)).toContain("signature check");
  });

  it("re-runs the diagnosis into the report's thread", async () => {
    vi.stubEnv("ECS_MEDIC_ACTION_KEY", KEY);
    setDispatchForTests(async (job) => void jobs.push(job));
    const rerun = JSON.stringify({
      kind: "rerun",
      cluster: "prod",
      service: "payment-api",
      region: "us-east-1",
      since: "2h",
    });
    const res = await handler(
      buttonPress(`${stub.responseUrl}/actions/T0001/5678`, signValue(rerun, KEY), "ecs_medic_rerun"),
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(jobs).toEqual([
      expect.objectContaining({
        kind: "diagnose",
        service: "payment-api",
        cluster: "prod",
        since: "2h",
        threadTs: "1764151200.000001",
      }),
    ]);
  });

  it("exports the evidence of the report's window into its thread", async () => {
    vi.stubEnv("ECS_MEDIC_ACTION_KEY", KEY);
    setDispatchForTests(async (job) => void jobs.push(job));
    const value = JSON.stringify({
      kind: "export",
      cluster: "prod",
      service: "payment-api",
      region: "eu-west-1",
      since: "1h",
      window: { since: "2026-11-26T09:00:00Z", until: "2026-11-26T10:00:00Z" },
    });
    const res = await handler(
      buttonPress(`${stub.responseUrl}/actions/T0001/5678`, signValue(value, KEY), "ecs_medic_export"),
      context,
    );
    expect(res.statusCode).toBe(200);
    expect(jobs).toEqual([
      expect.objectContaining({
        kind: "export",
        via: "slack-button",
        service: "payment-api",
        cluster: "prod",
        region: "eu-west-1",
        since: "2026-11-26T09:00:00Z",
        user: "U0ONCALL",
        threadTs: "1764151200.000001",
      }),
    ]);
    const reply = stub.calls.find((c) => c.method === "response/actions/T0001/5678");
    expect(JSON.stringify(reply?.args)).toContain("Exporting the evidence");
  });

  it("refuses an export button whose signed value is another kind", async () => {
    vi.stubEnv("ECS_MEDIC_ACTION_KEY", KEY);
    setDispatchForTests(async (job) => void jobs.push(job));
    const value = JSON.stringify({ kind: "rerun", cluster: "prod", service: "payment-api", since: "1h" });
    await handler(
      buttonPress(`${stub.responseUrl}/actions/T0001/5678`, signValue(value, KEY), "ecs_medic_export"),
      context,
    );
    expect(jobs).toEqual([]);
  });

  it("does not let a response_url that never answers hold the answer to Slack: gives up after 1.5 s and logs it", async () => {
    const hole = await startBlackHole();
    const logs = captureLogs();
    try {
      const result = await handler(buttonPress(`${hole.url}/actions/T0001/5678`), context);
      expect(result.statusCode).toBe(200);
      expect(hole.connections()).toBe(1); // the post was really attempted
      // How long it waited is the bench's business (npm run bench); here: it gave up, with the bound it logs.
      expect(logs.messages()).toContainEqual({
        message: "respond timed out",
        actionId: "ecs_medic_rollback",
        timeoutMs: 1500,
      });
    } finally {
      await hole.close();
    }
  });

  it("still answers 200 when the response_url refuses the post (expired), and logs it", async () => {
    const gone = await startHttp(404);
    const logs = captureLogs();
    try {
      const res = await handler(buttonPress(`${gone.url}/actions/T0001/5678`), context);
      expect(res.statusCode).toBe(200);
      expect(logs.messages()).toContainEqual(
        expect.objectContaining({
          message: "respond failed",
          actionId: "ecs_medic_rollback",
          error: expect.stringContaining("404"),
        }),
      );
    } finally {
      await gone.close();
    }
  });
});

describe("slack handler: a stalled AWS endpoint on the cold-start path (real SDK clients, loopback black hole)", () => {
  it("gives up on a worker invoke that never answers and tells the requester within ~2.5 s", async () => {
    const hole = await startBlackHole();
    vi.stubEnv("WORKER_FUNCTION_NAME", "ecs-medic-prod-worker");
    vi.stubEnv("AWS_ENDPOINT_URL_LAMBDA", hole.url);
    setDispatchForTests(undefined); // the real LambdaClient, bounded like production
    const logs = captureLogs();
    try {
      const result = await handler(signed(commandBody("diagnose payment-api")), context);
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body ?? "{}")).toMatchObject({
        response_type: "ephemeral",
        text: expect.stringContaining("could not start the diagnosis of payment-api"),
      });
      expect(hole.connections()).toBe(2); // maxAttempts 2: one retry, then the error (bounded: no wait on a clock here)
      expect(logs.messages()).toContainEqual(
        expect.objectContaining({
          message: "dispatch failed",
          error: expect.stringMatching(/requestTimeout|timed? ?out/i),
        }),
      );
    } finally {
      await hole.close();
    }
  });

  it("gives up on an SSM read that never answers, says it could not start, and recovers on the next request", async () => {
    const hole = await startBlackHole();
    vi.stubEnv("SLACK_SIGNING_SECRET", "");
    vi.stubEnv("SLACK_SIGNING_SECRET_PARAM", "/ecs-medic/test/slack/signing-secret");
    vi.stubEnv("AWS_ENDPOINT_URL_SSM", hole.url);
    resetCredentialsForTests();
    setDispatchForTests(async (job) => {
      jobs.push(job);
    });
    const logs = captureLogs();
    try {
      const result = await handler(signed(commandBody("diagnose payment-api")), context);
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body ?? "{}")).toMatchObject({
        response_type: "ephemeral",
        text: expect.stringContaining("could not start"),
      });
      expect(hole.connections()).toBe(2);
      expect(jobs).toEqual([]);
      expect(logs.messages()).toContainEqual(expect.objectContaining({ message: "slack function could not start" }));
    } finally {
      await hole.close();
    }
    // The failed cold start did not poison the container: the next request starts afresh.
    vi.stubEnv("SLACK_SIGNING_SECRET", SECRET);
    const next = await handler(signed(commandBody("diagnose payment-api")), context);
    expect(JSON.parse(next.body ?? "{}")).toMatchObject({ text: expect.stringContaining("Diagnosing *payment-api*") });
    expect(jobs).toHaveLength(1);
  });
});
