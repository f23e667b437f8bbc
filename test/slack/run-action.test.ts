/**
 * A rollback click through the `actions` runner, against a Slack stand-in with AWS mocked: who may act, what a stale
 * or forged button gets, that a double delivery changes the service once, that the report shows who acted, and that
 * every attempt is audited.
 */
import { DescribeScalableTargetsCommand, ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { WebClient } from "@slack/web-api";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signValue } from "../../src/actions/sign";
import { createDeps } from "../../src/app/deps";
import { createClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { ActionsPolicySchema } from "../../src/config/actions";
import type { ActionJob } from "../../src/slack/job";
import { runActionJob, type ActionRunnerDeps } from "../../src/slack/run-action";
import { MemoryAuditLog } from "../../src/store/audit";
import { MemoryIdempotencyStore } from "../../src/store/idempotency";
import { NOW, REGION, TASK_DEF_ARN, sdkService, sdkTaskDefinition } from "../fixtures/aws";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";

const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const autoscaling = mockClient(ApplicationAutoScalingClient);
const KEY = "k".repeat(32);
let stub: SlackStub;
let audit: MemoryAuditLog;

const proposal = {
  kind: "rollback",
  cluster: "prod",
  service: "payment-api",
  region: REGION,
  expect: { taskDefinition: TASK_DEF_ARN(43), desiredCount: 4 },
  change: { taskDefinition: TASK_DEF_ARN(42) },
};

const job = (overrides: Partial<ActionJob> = {}): ActionJob => ({
  kind: "action",
  jobId: "13345224609.738474920.bbbb",
  actionId: "ecs_medic_rollback",
  value: signValue(JSON.stringify(proposal), KEY),
  channel: "C0INCIDENT",
  user: "U04ALICE",
  teamId: "T0001",
  messageTs: "1764151200.000001",
  messageBlocks: [
    { type: "header", text: { type: "plain_text", text: "payment-api is failing" } },
    { type: "actions", elements: [] },
  ],
  responseUrl: `${stub.responseUrl}/actions/T0001/1`,
  requestedAt: NOW,
  ...overrides,
});

function deps(overrides: Partial<ActionRunnerDeps> = {}): ActionRunnerDeps {
  return {
    ...createDeps({
      env: {},
      clock: fixedClock(NOW),
      store: new MemoryIdempotencyStore(),
      audit,
      aws: () => createClients({ region: REGION, maxAttempts: 1 }),
    }),
    slack: { web: new WebClient("xoxb-0000-test", { slackApiUrl: stub.url, retryConfig: { retries: 0 } }) },
    actionKey: KEY,
    policy: ActionsPolicySchema.parse({ allow: [{ cluster: "prod", users: ["U04ALICE"], usergroups: ["S0ONCALL"] }] }),
    members: async (group) => (group === "S0ONCALL" ? ["U05BOB"] : []),
    sleep: async () => undefined,
    followUp: { intervalMs: 0, polls: 2 },
    ...overrides,
  };
}

const replies = () => stub.calls.filter((c) => c.method.startsWith("response/"));
const updates = () => ecs.commandCalls(UpdateServiceCommand);

beforeAll(async () => {
  stub = await startSlackStub();
});
afterAll(async () => stub.close());
beforeEach(() => {
  ecs.reset();
  ecr.reset();
  autoscaling.reset();
  stub.calls.length = 0;
  audit = new MemoryAuditLog();
  // Before the change: payment-api:43; every re-read after the UpdateService: :42, rollout completed.
  ecs
    .on(DescribeServicesCommand)
    .resolvesOnce({ services: [sdkService({ taskDefinition: TASK_DEF_ARN(43), desiredCount: 4 })] })
    .resolves({
      services: [
        sdkService({
          taskDefinition: TASK_DEF_ARN(42),
          desiredCount: 4,
          runningCount: 4,
          deployments: [{ status: "PRIMARY", taskDefinition: TASK_DEF_ARN(42), rolloutState: "COMPLETED" }],
        }),
      ],
    });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { ...sdkTaskDefinition(42), status: "ACTIVE" } });
  ecs.on(UpdateServiceCommand).resolves({ service: sdkService({ taskDefinition: TASK_DEF_ARN(42) }) });
  ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: `sha256:${"a".repeat(64)}` }] });
  autoscaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
});

describe("runActionJob", () => {
  it("rolls back once for an allowed user, marks the report with who acted, and follows the deployment", async () => {
    const outcome = await runActionJob(job(), deps());
    expect(outcome.status).toBe("done");
    expect(updates()).toHaveLength(1);
    expect(updates()[0]!.args[0].input).toEqual({
      cluster: "prod",
      service: "payment-api",
      taskDefinition: TASK_DEF_ARN(42),
    });
    const marked = stub.calls.find((c) => c.method === "chat.update");
    const markedText = JSON.stringify(marked?.args);
    expect(markedText).toContain("Rollback started");
    expect(markedText).toContain("<@U04ALICE>");
    expect(markedText).not.toContain('"type":"actions"');
    const thread = stub.calls.filter((c) => c.method === "chat.postMessage").map((c) => JSON.stringify(c.args));
    expect(thread[0]).toContain("1764151200.000001");
    expect(thread.join("\n")).toMatch(/completed: 4\/4 running on payment-api:42/);
    expect(audit.records.map((r) => r.outcome)).toEqual(["done"]);
    expect(audit.records[0]).toMatchObject({
      actor: { id: "U04ALICE", via: "slack" },
      before: { taskDefinition: TASK_DEF_ARN(43) },
    });
  });

  it("lets a member of an allowed user group act", async () => {
    expect((await runActionJob(job({ user: "U05BOB" }), deps())).status).toBe("done");
  });

  it("refuses anyone else, naming who can; nothing changes and the refusal is audited", async () => {
    const outcome = await runActionJob(job({ user: "U06MALLORY" }), deps());
    expect(outcome.status).toBe("refused");
    expect(updates()).toHaveLength(0);
    const reply = JSON.stringify(replies()[0]?.args);
    expect(reply).toContain("<@U04ALICE>");
    expect(reply).toContain("subteam^S0ONCALL");
    expect(audit.records).toEqual([
      expect.objectContaining({ outcome: "refused", actor: expect.objectContaining({ id: "U06MALLORY" }) }),
    ]);
  });

  it("refuses a stale proposal (the service moved on) and offers a re-run", async () => {
    ecs.reset();
    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [sdkService({ taskDefinition: TASK_DEF_ARN(44), desiredCount: 4 })] });
    const outcome = await runActionJob(job(), deps());
    expect(outcome.status).toBe("stale");
    expect(updates()).toHaveLength(0);
    const reply = JSON.stringify(replies()[0]?.args);
    expect(reply).toContain("it now runs payment-api:44");
    expect(reply).toContain("ecs_medic_rerun");
    expect(audit.records.map((r) => r.outcome)).toEqual(["stale"]);
  });

  it("changes the service once when Slack delivers the click twice at the same time", async () => {
    const d = deps();
    const outcomes = await Promise.all([runActionJob(job(), d), runActionJob(job(), d)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["done", "duplicate"]);
    expect(updates()).toHaveLength(1);
    expect(audit.records.map((r) => r.outcome).sort()).toEqual(["done", "duplicate"]);
  });

  it("refuses a rollback whose mutable tag has moved since the revision ran (it would not restore the same bytes)", async () => {
    const value = signValue(JSON.stringify({ ...proposal, targetDigests: { app: `sha256:${"b".repeat(64)}` } }), KEY);
    const outcome = await runActionJob(job({ value }), deps());
    expect(outcome).toMatchObject({
      status: "refused",
      reason: expect.stringContaining("would not restore the same bytes"),
    });
    expect(updates()).toHaveLength(0);
  });

  it.each([
    { case: "an unsigned value", value: () => JSON.stringify(proposal) },
    { case: "another key's signature", value: () => signValue(JSON.stringify(proposal), "x".repeat(32)) },
    {
      case: "a swapped service",
      value: () => signValue(JSON.stringify(proposal), KEY).replace("payment-api", "billing-api"),
    },
    {
      case: "a scale value on the rollback button",
      value: () => signValue(JSON.stringify({ ...proposal, kind: "scale" }), KEY),
    },
  ])("refuses $case: nothing changes, the attempt is audited", async ({ value }) => {
    const outcome = await runActionJob(job({ value: value() }), deps());
    expect(outcome.status).toBe("rejected");
    expect(updates()).toHaveLength(0);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
    expect(JSON.stringify(replies()[0]?.args)).toContain("signature check");
    expect(audit.records).toEqual([expect.objectContaining({ outcome: "refused", proposalId: "unverified" })]);
  });
});
