/**
 * Slack secrets: env for local runs, else SSM SecureStrings through a Powertools SSMProvider whose client is bounded
 * for Slack's 3-second path (ACK_PATH_SDK_CONFIG). The SSM client is mocked for the read/cache cases and real (against
 * a loopback endpoint that never answers) for the timeout case.
 */
import { createServer, type Socket } from "node:net";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ACK_PATH_SDK_CONFIG,
  loadBotToken,
  loadSigningSecret,
  resetCredentialsForTests,
  ssmProviderForTests,
} from "../../src/slack/credentials";

const SIGNING_PARAM = "/ecs-medic/test/slack/signing-secret";
const TOKEN_PARAM = "/ecs-medic/test/slack/bot-token";

beforeEach(() => resetCredentialsForTests());
afterEach(() => {
  vi.unstubAllEnvs();
  resetCredentialsForTests();
});

describe("loadSigningSecret / loadBotToken", () => {
  const mockSsm = () => mockClient(SSMClient);
  let ssm: ReturnType<typeof mockSsm>;
  beforeAll(() => {
    ssm = mockSsm();
  });
  afterEach(() => ssm.reset());
  afterAll(() => ssm.restore());

  it("takes plain env values first (local runs) and calls no AWS", async () => {
    expect(await loadSigningSecret({ SLACK_SIGNING_SECRET: "s3cret", SLACK_SIGNING_SECRET_PARAM: SIGNING_PARAM })).toBe(
      "s3cret",
    );
    expect(await loadBotToken({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_BOT_TOKEN_PARAM: TOKEN_PARAM })).toBe("xoxb-1");
    expect(ssm.calls()).toHaveLength(0);
  });

  it("reads only the signing-secret parameter, decrypted — never the bot token, even when configured", async () => {
    ssm
      .on(GetParameterCommand, { Name: SIGNING_PARAM })
      .resolves({ Parameter: { Name: SIGNING_PARAM, Type: "SecureString", Value: "from-ssm" } });

    const secret = await loadSigningSecret({
      SLACK_SIGNING_SECRET_PARAM: SIGNING_PARAM,
      SLACK_BOT_TOKEN_PARAM: TOKEN_PARAM,
    });

    expect(secret).toBe("from-ssm");
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: SIGNING_PARAM, WithDecryption: true });
  });

  it("caches a read value (a warm container does not call SSM per request)", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: "from-ssm" } });
    const env = { SLACK_SIGNING_SECRET_PARAM: SIGNING_PARAM };
    await loadSigningSecret(env);
    await loadSigningSecret(env);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it("names what is missing when neither the value nor a parameter is configured", async () => {
    await expect(loadSigningSecret({})).rejects.toThrow(
      /SLACK_SIGNING_SECRET is not configured.*SLACK_SIGNING_SECRET_PARAM/,
    );
    await expect(loadBotToken({})).rejects.toThrow(/SLACK_BOT_TOKEN is not configured/);
  });

  it("refuses an empty parameter", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: "" } });
    await expect(loadSigningSecret({ SLACK_SIGNING_SECRET_PARAM: SIGNING_PARAM })).rejects.toThrow(/empty or missing/);
  });
});

describe("the SSM client's bounds (Slack's 3-second path)", () => {
  it("is built with at most 2 attempts, 500 ms to connect, 1 s per attempt, timeouts as errors", async () => {
    expect(ACK_PATH_SDK_CONFIG).toEqual({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true },
    });
    expect(await ssmProviderForTests().client.config.maxAttempts()).toBe(2);
  });

  it("gives up on an SSM endpoint that accepts and never answers within ~2.5 s, after exactly 2 attempts", async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    vi.stubEnv("AWS_ENDPOINT_URL_SSM", `http://127.0.0.1:${port}`);
    try {
      const error = await loadSigningSecret({ SLACK_SIGNING_SECRET_PARAM: SIGNING_PARAM }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).cause ?? error)).toMatch(/requestTimeout|timed? ?out/i);
      // Two bounded attempts, each ended by its request timeout (how long that takes is the bench's business).
      expect(sockets).toHaveLength(2);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
