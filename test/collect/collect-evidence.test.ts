import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { beforeEach, describe, expect, it } from "vitest";
import { createClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { collectEvidence } from "../../src/collect/collect-evidence";
import { STEPS } from "../../src/collect/steps";
import { STEP_IDS } from "../../src/evidence/schema";
import { parseEvidence, serializeEvidence } from "../../src/evidence/snapshot";
import {
  NOW,
  REGION,
  TASK_DEF_ARN,
  sdkService,
  sdkStoppedTask,
  sdkTargetGroup,
  sdkTask,
  sdkTaskDefinition,
} from "../fixtures/aws";
import { accessDenied, notFound, throttled } from "../fixtures/errors";
import { TARGET, instantLimiter } from "../helpers/context";
import { answerEverything as answerEverythingIn, mockAllClients } from "../helpers/estate";

const mocks = mockAllClients();

const WINDOW = { since: "2026-11-26T09:00:00Z", until: NOW };
const answerEverything = (tasks: Task[]) => answerEverythingIn(mocks, tasks);

function run(overrides: Partial<Parameters<typeof collectEvidence>[0]> = {}) {
  return collectEvidence({
    clients: createClients({ region: REGION, maxAttempts: 1 }),
    resolved: { target: TARGET, service: sdkService() },
    window: WINDOW,
    clock: fixedClock(NOW),
    cloudTrailLimiter: instantLimiter(),
    ...overrides,
  });
}

beforeEach(() => {
  for (const m of Object.values(mocks)) m.reset();
});

describe("collectEvidence", () => {
  it("returns every step in check order and a snapshot that survives a save/load round trip", async () => {
    answerEverything([]);
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });

    const evidence = await run();

    expect(evidence.steps.map((s) => s.id)).toEqual([...STEP_IDS]);
    expect(STEPS.map((s) => s.id)).toEqual([...STEP_IDS]);
    expect(evidence.taskDefinitions.map((t) => `${t.role}:${t.revision}`)).toEqual(["current:42", "previous:41"]);
    expect(evidence.collectedAt).toBe("2026-11-26T10:00:00Z");
    expect(parseEvidence(serializeEvidence(evidence))).toEqual(evidence);
  });

  it("collects a 500-task service with 5 DescribeTasks calls and all steps' reads in flight at once", async () => {
    const stopped = Array.from({ length: 300 }, (_, i) => sdkStoppedTask(1 + (i % 50), { exitCode: 1 }));
    const running = Array.from({ length: 200 }, () => sdkTask());
    answerEverything([...stopped, ...running]);
    const arns = (tasks: Task[]) => tasks.map((t) => t.taskArn!);
    mocks.ecs
      .on(ListTasksCommand, { desiredStatus: "STOPPED", nextToken: undefined })
      .resolves({ taskArns: arns(stopped.slice(0, 100)), nextToken: "s1" })
      .on(ListTasksCommand, { desiredStatus: "STOPPED", nextToken: "s1" })
      .resolves({ taskArns: [], nextToken: "s2" }) // ECS may return an empty page that still has a token
      .on(ListTasksCommand, { desiredStatus: "STOPPED", nextToken: "s2" })
      .resolves({ taskArns: arns(stopped.slice(100)) })
      .on(ListTasksCommand, { desiredStatus: "RUNNING", nextToken: undefined })
      .resolves({ taskArns: arns(running.slice(0, 100)), nextToken: "r1" })
      .on(ListTasksCommand, { desiredStatus: "RUNNING", nextToken: "r1" })
      .resolves({ taskArns: arns(running.slice(100)) });

    // Hold every independent first read until all of them have been sent: proves the steps run at once.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const pending = new Set<string>();
    const gated = (name: string) => async (input: unknown) => {
      pending.add(name);
      await gate;
      return fakeAnswer(name, input);
    };
    mocks.ec2.on(DescribeSubnetsCommand).callsFake(gated("ec2:DescribeSubnets"));
    mocks.elbv2.on(DescribeTargetGroupsCommand).callsFake(gated("elasticloadbalancing:DescribeTargetGroups"));
    mocks.ecs.on(ListServiceDeploymentsCommand).callsFake(gated("ecs:ListServiceDeployments"));
    mocks.ecs.on(DescribeTaskDefinitionCommand).callsFake(gated("ecs:DescribeTaskDefinition"));
    // The first read of every step that depends on nothing else; CloudTrail and CloudWatch follow the shared
    // task-definition and target-group reads, so they are not gated here.
    const independent = [
      "ec2:DescribeSubnets",
      "ecs:DescribeTaskDefinition",
      "ecs:ListServiceDeployments",
      "elasticloadbalancing:DescribeTargetGroups",
    ];

    const collecting = run();
    for (let i = 0; i < 200 && pending.size < independent.length; i++) await new Promise((r) => setImmediate(r));
    expect([...pending].sort()).toEqual(independent);
    open();
    const evidence = await collecting;

    expect(mocks.ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 5);
    const tasksStep = evidence.steps.find((s) => s.id === "stopped-tasks");
    expect(tasksStep?.status).toBe("collected");
    if (tasksStep?.id !== "stopped-tasks" || !tasksStep.data) throw new Error("no task data");
    expect(tasksStep.data.stopped).toHaveLength(300);
    expect(tasksStep.data.running).toHaveLength(200);
    const stoppedAt = tasksStep.data.stopped.map((t) => t.stoppedAt!);
    expect(stoppedAt).toEqual([...stoppedAt].sort().reverse());
    expect(evidence.steps.filter((s) => s.status === "error")).toEqual([]);
  });

  it("keeps going when one API is denied and another throttled: those steps say why, the rest complete", async () => {
    answerEverything([]);
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    mocks.ec2.on(DescribeSubnetsCommand).rejects(accessDenied("ec2:DescribeSubnets"));
    mocks.cloudtrail.on(LookupEventsCommand).rejects(throttled("cloudtrail"));

    const evidence = await run();

    const subnets = evidence.steps.find((s) => s.id === "subnets")!;
    expect(subnets.status).toBe("error");
    expect(subnets.errors[0]).toMatchObject({
      kind: "access_denied",
      code: "UnauthorizedOperation",
      operation: "ec2:DescribeSubnets",
    });
    expect(subnets.errors[0]!.hint).toContain("grant it");
    const changes = evidence.steps.find((s) => s.id === "changes")!;
    expect(changes.errors[0]).toMatchObject({ kind: "throttled", operation: "cloudtrail:LookupEvents" });
    const others = evidence.steps.filter((s) => s.id !== "subnets" && s.id !== "changes");
    expect(others.filter((s) => s.status === "error")).toEqual([]);
  });

  it("reports a shared read's failure on every step that needs it, once per step, and calls AWS once", async () => {
    answerEverything([]);
    mocks.ecs.on(ListTasksCommand).rejects(accessDenied("ecs:ListTasks"));

    const evidence = await run();

    expect(evidence.steps.find((s) => s.id === "stopped-tasks")?.errors[0]).toMatchObject({
      kind: "access_denied",
      operation: "ecs:ListTasks",
    });
    // STOPPED and RUNNING listings: one call each, however many steps wanted the tasks.
    expect(mocks.ecs).toHaveReceivedCommandTimes(ListTasksCommand, 2);
  });

  it("records a task-definition failure in contextErrors and still completes the steps that do not need it", async () => {
    answerEverything([]);
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    mocks.ecs.on(DescribeTaskDefinitionCommand).rejects(accessDenied("ecs:DescribeTaskDefinition"));

    const evidence = await run();

    expect(evidence.contextErrors[0]).toMatchObject({ kind: "access_denied", operation: "ecs:DescribeTaskDefinition" });
    expect(evidence.taskDefinitions).toEqual([]);
    expect(evidence.steps.find((s) => s.id === "service-events")?.status).toBe("collected");
    expect(evidence.steps.find((s) => s.id === "subnets")?.status).toBe("collected");
  });

  it.each([
    { case: "AccessDenied", error: () => accessDenied("ecs:DescribeTaskDefinition"), kind: "access_denied" },
    { case: "throttling", error: () => throttled("ecs"), kind: "throttled" },
  ])(
    "records $case on the previous revision in contextErrors instead of treating it as gone",
    async ({ error, kind }) => {
      answerEverything([]);
      mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
      mocks.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(41) }).rejects(error());

      const evidence = await run();

      expect(evidence.taskDefinitions.map((t) => `${t.role}:${t.revision}`)).toEqual(["current:42"]);
      expect(evidence.contextErrors).toHaveLength(1);
      expect(evidence.contextErrors[0]).toMatchObject({ kind, operation: "ecs:DescribeTaskDefinition" });
    },
  );

  it("leaves out a previous revision that does not exist, with no error (ECS: ClientException 'Unable to describe task definition.')", async () => {
    answerEverything([]);
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    mocks.ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(41) })
      .rejects(notFound("ecs", "ClientException", "Unable to describe task definition."));

    const evidence = await run();

    expect(evidence.taskDefinitions.map((t) => `${t.role}:${t.revision}`)).toEqual(["current:42"]);
    expect(evidence.contextErrors).toEqual([]);
  });

  it("completes when the progress callback throws", async () => {
    answerEverything([]);
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    let calls = 0;

    const evidence = await run({
      onProgress: () => {
        calls += 1;
        throw new Error("stdout closed");
      },
    });

    expect(evidence.steps.map((s) => s.id)).toEqual([...STEP_IDS]);
    // "start", then one per step: a throw does not stop the later calls either.
    expect(calls).toBe(STEP_IDS.length + 1);
  });

  it("turns a step that throws a plain bug into an error record, not a crash", async () => {
    answerEverything([]);
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const broken = { ...STEPS[0]!, collect: async () => Promise.reject(new TypeError("boom")) };

    const evidence = await run({ steps: [broken, ...STEPS.slice(1)] });

    expect(evidence.steps[0]).toMatchObject({ id: "service-events", status: "error", data: null });
    expect(evidence.steps[0]!.errors[0]!.code).toBe("TypeError");
  });
});

function fakeAnswer(name: string, input: unknown): unknown {
  switch (name) {
    case "ec2:DescribeSubnets":
      return {
        Subnets: [
          {
            SubnetId: "subnet-0a1b2c3d4e5f60001",
            CidrBlock: "10.0.1.0/24",
            AvailabilityZone: "us-east-1a",
            AvailableIpAddressCount: 200,
          },
        ],
      };
    case "elasticloadbalancing:DescribeTargetGroups":
      return { TargetGroups: [sdkTargetGroup()] };
    case "ecs:ListServiceDeployments":
      return { serviceDeployments: [] };
    case "ecs:DescribeTaskDefinition":
      return {
        taskDefinition: sdkTaskDefinition(
          Number((input as { taskDefinition: string }).taskDefinition.split(":").pop()),
        ),
      };
    default:
      throw new Error(`no fake for ${name}`);
  }
}
