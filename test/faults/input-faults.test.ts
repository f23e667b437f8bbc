/**
 * The input fault suite: what arrives from outside other than Slack — alarm and EventBridge payload garbage into the
 * real `alarm` handler, playbook folders with invalid YAML or a catastrophic regex, and evidence files that are
 * missing, not JSON, the wrong schema or 50 MB. Each case asserts: no crash (nothing thrown but the typed error that
 * is the clear message), the message says what is wrong and where, no duplicate mutation (no post, no job from
 * garbage), and no planted secret in any output. The counts are printed for the README.
 */
import { WebClient } from "@slack/web-api";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServiceLookup } from "../../src/alarms/service-lookup";
import { EMPTY_CONFIG } from "../../src/config/config";
import { classifyMessage } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { EvidenceInvalidError, PlaybookInvalidError } from "../../src/errors";
import { loadEvidence } from "../../src/evidence/snapshot";
import { handler as alarm, setAlarmDepsForTests } from "../../src/handlers/alarm";
import type { Job } from "../../src/slack/job";
import { MemoryIdempotencyStore } from "../../src/store/idempotency";
import { MemoryIncidentStore } from "../../src/store/incidents";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";
import { PLANTED, leakedSecrets } from "./slack-harness";

const counts = { tried: 0, crashes: 0, duplicateMutations: 0, secretsLeaked: 0 };
let stub: SlackStub;
let dir: string;
const jobs: Job[] = [];
const logs: string[] = [];

beforeAll(async () => {
  stub = await startSlackStub();
  dir = mkdtempSync(join(tmpdir(), "ecs-medic-input-faults-"));
});
afterAll(async () => {
  setAlarmDepsForTests(undefined);
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
  console.info(
    `Input fault suite: ${counts.tried} cases tried, ${counts.crashes} crashes, ` +
      `${counts.duplicateMutations} duplicate mutations, ${counts.secretsLeaked} secrets leaked`,
  );
});
beforeEach(() => {
  jobs.length = 0;
  logs.length = 0;
  stub.calls.length = 0;
  vi.stubEnv("SLACK_BOT_TOKEN", PLANTED.botToken);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", PLANTED.awsSecret);
  const lookup: ServiceLookup = { servicesForTargetGroup: async () => [], alarmTags: async () => ({}) };
  setAlarmDepsForTests({
    incidents: new MemoryIncidentStore(),
    deliveries: new MemoryIdempotencyStore(),
    dispatch: async (job) => {
      jobs.push(job);
    },
    slack: new WebClient(PLANTED.botToken, { slackApiUrl: stub.url, retryConfig: { retries: 0 } }),
    lookup,
    config: EMPTY_CONFIG,
    clock: () => new Date("2026-11-26T10:01:00Z"),
    env: { ECS_MEDIC_DEFAULT_CHANNEL: "C0INCIDENT" },
    log: (message, detail) => logs.push(JSON.stringify({ message, ...detail })),
  });
});

/** Runs one case: a throw that is not `expected` is a crash; any planted secret in `outputs` is a leak. */
async function attempt<T>(run: () => Promise<T> | T, expected?: new (...args: never[]) => Error): Promise<T | Error> {
  counts.tried += 1;
  let outcome: T | Error;
  try {
    outcome = await run();
  } catch (error) {
    if (!expected || !(error instanceof expected)) {
      counts.crashes += 1;
      throw error;
    }
    outcome = error;
  }
  const text = [
    outcome instanceof Error ? `${outcome.message} ${String(outcome.cause)}` : JSON.stringify(outcome),
    ...logs,
    ...stub.calls.map((c) => JSON.stringify(c)),
    ...jobs.map((j) => JSON.stringify(j)),
  ].join("\n");
  const leaks = leakedSecrets(text);
  if (leaks.length > 0) counts.secretsLeaked += 1;
  expect(leaks, "planted secrets in the output").toEqual([]);
  return outcome;
}

describe("alarm and EventBridge payload garbage", () => {
  const big = "x".repeat(1_000_000);
  it.each<[string, unknown]>([
    ["null", null],
    ["a string", "ALARM"],
    ["a number", 42],
    ["an empty object", {}],
    ["Records that is not a list", { Records: "nope" }],
    [
      "an SNS record whose Message is not JSON",
      { Records: [{ EventSource: "aws:sns", Sns: { MessageId: "m-1", Message: `{not json ${PLANTED.awsSecret}` } }] },
    ],
    ["an SNS record with no Sns", { Records: [{ EventSource: "aws:sns" }] }],
    [
      "an SNS alarm message with the wrong types",
      {
        Records: [
          {
            EventSource: "aws:sns",
            Sns: {
              MessageId: "m-2",
              Message: JSON.stringify({ AlarmName: 7, NewStateValue: ["ALARM"], Trigger: "x" }),
            },
          },
        ],
      },
    ],
    [
      "an EventBridge event with no detail",
      {
        version: "0",
        id: "e-1",
        source: "aws.cloudwatch",
        "detail-type": "CloudWatch Alarm State Change",
        account: "123456789012",
        region: "us-east-1",
        time: "2026-11-26T10:00:00Z",
        resources: [],
      },
    ],
    [
      "an EventBridge alarm whose state is garbage",
      {
        version: "0",
        id: "e-2",
        source: "aws.cloudwatch",
        "detail-type": "CloudWatch Alarm State Change",
        account: "123456789012",
        region: "us-east-1",
        time: "2026-11-26T10:00:00Z",
        resources: [],
        detail: { alarmName: "x", state: { value: "ON_FIRE" } },
      },
    ],
    [
      "an ECS task event with a 1 MB group",
      {
        version: "0",
        id: "e-3",
        source: "aws.ecs",
        "detail-type": "ECS Task State Change",
        account: "123456789012",
        region: "us-east-1",
        time: "2026-11-26T10:00:00Z",
        resources: [],
        detail: { group: `service:${big}`, lastStatus: "STOPPED" },
      },
    ],
    [
      "an event from a source nobody handles",
      { version: "0", id: "e-4", source: "aws.s3", "detail-type": "Object Created", detail: {} },
    ],
    ["a __proto__ payload", JSON.parse('{"__proto__": {"polluted": true}, "Records": [{"__proto__": {"Sns": 1}}]}')],
  ])("%s: parsed or rejected with a reason, nothing posted or dispatched", async (_name, event) => {
    const result = await attempt(() => alarm(event as Parameters<typeof alarm>[0]));
    expect(result).not.toBeInstanceOf(Error);
    expect(jobs).toEqual([]);
    expect(stub.calls.filter((c) => c.method === "chat.postMessage")).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const text = JSON.stringify(result);
    // The rejection or the ignore says why (the handler logs it too).
    expect(text).toMatch(/rejected|ignored/);
  });
});

describe("playbook folders", () => {
  const folder = (name: string, files: Record<string, string>) => {
    const root = join(dir, name);
    mkdirSync(join(root, "symptoms"), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(root, "symptoms", file), text);
    return root;
  };
  const rule = (pattern: string) =>
    JSON.stringify({
      rules: [
        {
          id: "team-rule",
          symptom: "app_crash",
          fields: ["log_line"],
          match: { any: [pattern] },
          severity: "critical",
          priority: 999,
          title: "Team rule",
          why: "Why.",
          fix: "Fix.",
        },
      ],
    });

  it.each([
    ["invalid YAML", { "team.yaml": "rules:\n  - id: [unclosed\n    symptom: app_crash" }, /team\.yaml/],
    ["YAML that is not a playbook", { "team.yaml": `password: ${PLANTED.awsSecret}\n` }, /team\.yaml/],
    [
      "a pattern RE2 refuses (lookahead)",
      { "team.yaml": rule("OOM(?! score)") },
      /team-rule.*match\.any\[0\].*lookahead|lookahead.*team-rule/s,
    ],
    ["an invalid pattern", { "team.yaml": rule("(unclosed") }, /team-rule/],
  ])("%s: a load error naming the file", async (name, files, why) => {
    const root = folder(name.replace(/\W+/g, "-"), files);
    const error = await attempt(() => loadPlaybooks({ overrides: [root] }), PlaybookInvalidError);
    expect(error).toBeInstanceOf(PlaybookInvalidError);
    expect((error as Error).message).toMatch(why);
  });

  it("a catastrophic regex loads and classifies an adversarial line (linear engine)", async () => {
    const root = folder("catastrophic", { "team.yaml": rule("((a+))+$") });
    const result = await attempt(() =>
      classifyMessage({ field: "log_line", text: `${"a".repeat(4_000)}!` }, loadPlaybooks({ overrides: [root] })),
    );
    expect(result).not.toBeInstanceOf(Error);
  });

  it("a folder with no rules is an error, not silently ignored", async () => {
    const root = join(dir, "empty-folder");
    mkdirSync(root, { recursive: true });
    const error = await attempt(() => loadPlaybooks({ overrides: [root] }), PlaybookInvalidError);
    expect((error as Error).message).toContain(`${root} holds no playbooks`);
  });

  it("a file given as the folder is an error, not silently ignored", async () => {
    const file = write("team-rules.yaml", rule("OOM"));
    const error = await attempt(() => loadPlaybooks({ overrides: [file] }), PlaybookInvalidError);
    expect((error as Error).message).toContain(`${file} holds no playbooks`);
  });
});

describe("evidence files", () => {
  it.each([
    ["missing", () => join(dir, "no-such-evidence.json"), /cannot read .*no-such-evidence\.json: ENOENT/],
    [
      "not JSON",
      () => write("not-json.json", `{"schemaVersion": 1, "token": "${PLANTED.botToken}" oops`),
      /not-json\.json is not JSON/,
    ],
    [
      "the wrong schema",
      () => write("wrong.json", JSON.stringify({ schemaVersion: 1, secret: PLANTED.awsSecret })),
      /wrong\.json is not a valid ecs-medic evidence snapshot/,
    ],
    ["another schema version", () => write("v99.json", JSON.stringify({ schemaVersion: 99 })), /schemaVersion 99/],
    ["an empty file", () => write("empty.json", ""), /empty\.json is not JSON/],
  ])("%s: a typed error that says what is wrong and where", async (_name, file, why) => {
    const error = await attempt(() => loadEvidence(file()), EvidenceInvalidError);
    expect(error).toBeInstanceOf(EvidenceInvalidError);
    expect((error as Error).message).toMatch(why);
  });

  it("50 MB of valid JSON that is not a snapshot: refused with the schema error, no crash", async () => {
    const file = join(dir, "fifty-mb.json");
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(file);
      out.on("error", reject);
      out.write('{"schemaVersion":1,"padding":[');
      const chunk = JSON.stringify("y".repeat(1_000));
      for (let i = 0; i < 50_000; i++) out.write(i === 0 ? chunk : `,${chunk}`);
      out.end(`],"planted":"${PLANTED.awsSecret}"}`, resolve);
    });
    const error = await attempt(() => loadEvidence(file), EvidenceInvalidError);
    expect((error as Error).message).toMatch(/fifty-mb\.json is not a valid ecs-medic evidence snapshot/);
  });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
