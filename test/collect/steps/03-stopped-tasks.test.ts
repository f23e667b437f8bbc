import {
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type ListTasksResponse,
  type Task as SdkTask,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { toStepError } from "../../../src/aws/step-error";
import { stoppedTasksStep } from "../../../src/collect/steps/03-stopped-tasks";
import { StoppedTasksDataSchema } from "../../../src/evidence/schema";
import {
  ACCOUNT,
  CLUSTER_ARN,
  IMAGE,
  REGION,
  SERVICE,
  TARGET_GROUP_ARN,
  TASK_ARN,
  minutesAgo,
  sdkStoppedTask,
  sdkTask,
  taskId,
} from "../../fixtures/aws";
import { accessDenied, throttled } from "../../fixtures/errors";
import { makeContext } from "../../helpers/context";

const ecs = mockClient(ECSClient);

// Wordings as ECS writes them (AWS docs: "Amazon ECS stopped task error messages").
const OOM = "OutOfMemoryError: Container killed due to memory usage";
const SECRET_DENIED =
  `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ` +
  `service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/payment-api-execution/%s ` +
  `is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/payment-api/db-AbCdEf ` +
  `because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: 0a1b2c3d-0000-0000-0000-000000000000`;
const PULL_NOT_FOUND = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${IMAGE("v1.43")}: ${IMAGE("v1.43")}: not found`;
const ELB_FAILED = `Task failed ELB health checks in (target-group ${TARGET_GROUP_ARN})`;
const OTHER_DIGEST = "sha256:9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

/** A task that never got its containers going: no digest, no runtime id, no start times. */
function failedToStart(minutes: number, stoppedReason: string, containerReason?: string): SdkTask {
  const task = sdkStoppedTask(minutes, {
    stopCode: "TaskFailedToStart",
    stoppedReason,
    ...(containerReason ? { containerReason } : {}),
  });
  const { imageDigest: _d, runtimeId: _r, ...container } = task.containers![0]!;
  const { pullStartedAt: _p, pullStoppedAt: _q, startedAt: _s, ...rest } = task;
  return { ...rest, taskDefinitionArn: task.taskDefinitionArn, containers: [container] };
}

/** ListTasks answers per desiredStatus, keyed by the request's nextToken ("" for the first page). */
function listTasks(pages: { STOPPED: Record<string, ListTasksResponse>; RUNNING: Record<string, ListTasksResponse> }) {
  ecs
    .on(ListTasksCommand)
    .callsFake(
      (input: {
        desiredStatus?: "STOPPED" | "RUNNING";
        nextToken?: string;
        serviceName?: string;
        cluster?: string;
      }) => {
        if (input.serviceName !== SERVICE || input.cluster !== CLUSTER_ARN)
          throw new Error("ListTasks without the service filter");
        const page = pages[input.desiredStatus ?? "RUNNING"][input.nextToken ?? ""];
        if (!page) throw new Error(`unexpected ListTasks page ${input.desiredStatus} ${input.nextToken}`);
        return page;
      },
    );
}

/** DescribeTasks answers for whatever ARNs are asked, in reverse order (ECS promises no order). */
function describeTasks(tasks: readonly SdkTask[]) {
  const byArn = new Map(tasks.map((t) => [t.taskArn!, t]));
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: input.tasks.flatMap((arn) => (byArn.has(arn) ? [byArn.get(arn)!] : [])).reverse(),
    failures: [],
  }));
}

const arns = (tasks: readonly SdkTask[]) => tasks.map((t) => t.taskArn!);

async function collect(ctx = makeContext()) {
  const result = await stoppedTasksStep.collect(ctx);
  if (result.status === "skipped") throw new Error(`unexpected skip: ${result.skipReason}`);
  StoppedTasksDataSchema.parse(result.data);
  return result;
}

describe("step 3: stopped tasks", () => {
  beforeEach(() => ecs.reset());

  it("keeps task-level and container-level reasons, newest first, and groups them in the summary", async () => {
    const pull = failedToStart(2, PULL_NOT_FOUND, PULL_NOT_FOUND);
    const elb = sdkStoppedTask(4, { stopCode: "ServiceSchedulerInitiated", stoppedReason: ELB_FAILED, exitCode: 143 });
    const spot = sdkStoppedTask(
      6,
      { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted.", exitCode: 143 },
      { capacityProviderName: "FARGATE_SPOT" },
    );
    const secrets = [3, 5, 7].map((m) => failedToStart(m, SECRET_DENIED.replace("%s", taskId())));
    const ooms = Array.from({ length: 9 }, (_, i) =>
      sdkStoppedTask(10 + 5 * i, { exitCode: 137, containerReason: OOM }),
    );
    const stopped = [...ooms, spot, ...secrets, elb, pull];
    const running = [
      sdkTask(),
      sdkTask(),
      sdkTask({ containers: [{ ...sdkTask().containers![0]!, imageDigest: OTHER_DIGEST }] }),
    ];
    listTasks({ STOPPED: { "": { taskArns: arns(stopped) } }, RUNNING: { "": { taskArns: arns(running) } } });
    describeTasks([...stopped, ...running]);

    const result = await collect();

    expect(result.status).toBe("collected");
    const data = result.data;
    expect(data.stoppedListed).toBe(15);
    expect(data.truncated).toBe(false);
    expect(data.running).toHaveLength(3);
    expect(data.stopped.map((t) => t.stoppedAt)).toEqual(
      [2, 3, 4, 5, 6, 7, 10, 15, 20, 25, 30, 35, 40, 45, 50].map((m) =>
        minutesAgo(m).toISOString().replace(".000", ""),
      ),
    );
    expect(data.stopped[0]).toEqual({
      taskArn: pull.taskArn,
      taskDefinitionArn: pull.taskDefinitionArn,
      group: `service:${SERVICE}`,
      startedBy: "ecs-svc/1234567890123456789",
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      healthStatus: "UNKNOWN",
      launchType: "FARGATE",
      platformVersion: "1.4.0",
      availabilityZone: `${REGION}a`,
      createdAt: "2026-11-26T09:20:00Z",
      stoppingAt: "2026-11-26T09:57:55Z",
      stoppedAt: "2026-11-26T09:58:00Z",
      stopCode: "TaskFailedToStart",
      stoppedReason: PULL_NOT_FOUND,
      subnetId: "subnet-0a1b2c3d4e5f60001",
      privateIPv4Address: "10.0.1.23",
      containers: [
        { name: "app", image: IMAGE("v1.42"), lastStatus: "STOPPED", healthStatus: "UNKNOWN", reason: PULL_NOT_FOUND },
      ],
    });
    const oom = data.stopped.find((t) => t.containers[0]?.exitCode === 137)!;
    expect(oom).toMatchObject({
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
    });
    expect(oom.containers[0]).toMatchObject({ exitCode: 137, reason: OOM });
    expect(data.stopped.find((t) => t.stopCode === "SpotInterruption")).toMatchObject({
      capacityProviderName: "FARGATE_SPOT",
      stoppedReason: "Your Spot Task was interrupted.",
    });

    expect(stoppedTasksStep.summarize(data)).toBe(
      "15 stopped: 'Essential container in task exited' (app exit 137, OutOfMemoryError: Container killed due to memory usage) ×9; " +
        "ResourceInitializationError: unable to pull secrets or registry auth ×3; " +
        "CannotPullContainerError: pull image manifest has been retried 5 time(s) ×1; 2 other; " +
        "3 running, digests sha256:4f53cda18c2b ×2, sha256:9a1b2c3d4e5f ×1",
    );
  });

  it("pages through 250 stopped and 30 running tasks, describes them 100 at a time and sorts newest first", async () => {
    const stopped = Array.from({ length: 250 }, (_, i) => sdkStoppedTask(1 + i * 0.2, { exitCode: 1 }));
    const running = Array.from({ length: 30 }, () => sdkTask());
    // ListTasks order is undocumented: hand the ARNs out in a scrambled order (7919 is coprime with 250).
    const scrambled = Array.from({ length: 250 }, (_, i) => stopped[(i * 7919) % 250]!.taskArn!);
    listTasks({
      STOPPED: {
        "": { taskArns: scrambled.slice(0, 100), nextToken: "s2" },
        s2: { taskArns: [], nextToken: "s3" },
        s3: { taskArns: scrambled.slice(100, 200), nextToken: "s4" },
        s4: { taskArns: scrambled.slice(200) },
      },
      RUNNING: { "": { taskArns: arns(running) } },
    });
    describeTasks([...stopped, ...running]);

    const result = await collect();

    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 5);
    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: CLUSTER_ARN,
      serviceName: SERVICE,
      desiredStatus: "STOPPED",
      maxResults: 100,
    });
    expect(ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, Math.ceil(280 / 100));
    for (const call of ecs.commandCalls(DescribeTasksCommand)) {
      expect(call.args[0].input.tasks!.length).toBeLessThanOrEqual(100);
      expect(call.args[0].input.cluster).toBe(CLUSTER_ARN);
    }
    const data = result.data;
    expect(data.stopped).toHaveLength(250);
    expect(data.stoppedListed).toBe(250);
    expect(data.truncated).toBe(false);
    expect(data.running).toHaveLength(30);
    expect(data.stopped.map((t) => t.taskArn)).toEqual(arns(stopped));
    expect(stoppedTasksStep.summarize(data)).toBe(
      "250 stopped: 'Essential container in task exited' (app exit 1) ×250; 30 running, digest sha256:4f53cda18c2b",
    );
  });

  it("stops listing at maxStoppedTasks and says the list is truncated", async () => {
    const stopped = Array.from({ length: 150 }, (_, i) => sdkStoppedTask(1 + i * 0.2, { exitCode: 1 }));
    listTasks({
      STOPPED: {
        "": { taskArns: arns(stopped).slice(0, 100), nextToken: "s2" },
        s2: { taskArns: arns(stopped).slice(100) },
      },
      RUNNING: { "": { taskArns: [] } },
    });
    describeTasks(stopped);

    const result = await collect(makeContext({ limits: { maxStoppedTasks: 120 } }));

    expect(result.data.stopped).toHaveLength(120);
    expect(result.data.truncated).toBe(true);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 2);
    expect(stoppedTasksStep.summarize(result.data)).toMatch(/^120\+ stopped: /);
  });

  it("maps a task with every optional field absent", async () => {
    const id = taskId();
    const bare: SdkTask = {
      taskArn: TASK_ARN(id),
      clusterArn: CLUSTER_ARN,
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      containers: [{ name: "app", lastStatus: "STOPPED" }],
    };
    const noContainers: SdkTask = { taskArn: TASK_ARN(taskId()), lastStatus: "STOPPED", stopCode: "UserInitiated" };
    const recent = sdkStoppedTask(5, { exitCode: 0 });
    listTasks({
      STOPPED: { "": { taskArns: [bare.taskArn!, recent.taskArn!, noContainers.taskArn!] } },
      RUNNING: { "": { taskArns: [] } },
    });
    describeTasks([bare, recent, noContainers]);

    const result = await collect();

    expect(result.data.stopped[0]!.taskArn).toBe(recent.taskArn);
    expect(result.data.stopped).toContainEqual({
      taskArn: TASK_ARN(id),
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      containers: [{ name: "app", lastStatus: "STOPPED" }],
    });
    expect(result.data.stopped).toContainEqual({
      taskArn: noContainers.taskArn,
      lastStatus: "STOPPED",
      stopCode: "UserInitiated",
      containers: [],
    });
    expect(result.data.running).toEqual([]);
    expect(stoppedTasksStep.summarize(result.data)).toBe(
      "3 stopped: 'Essential container in task exited' (app exit 0) ×1; 'UserInitiated' ×1; 'no reason given' ×1; 0 running",
    );
  });

  it.each([
    {
      case: "ELB health-check kills, target-group ARN dropped",
      tasks: () =>
        [4, 6].map((m) =>
          sdkStoppedTask(m, { stopCode: "ServiceSchedulerInitiated", stoppedReason: ELB_FAILED, exitCode: 143 }),
        ),
      summary: "2 stopped: 'Task failed ELB health checks' (app exit 143) ×2",
    },
    {
      case: "secret access denied, grouped although each names its own role session",
      tasks: () => [3, 5].map((m) => failedToStart(m, SECRET_DENIED.replace("%s", taskId()))),
      summary: "2 stopped: ResourceInitializationError: unable to pull secrets or registry auth ×2",
    },
    {
      case: "Spot interruption",
      tasks: () => [
        sdkStoppedTask(2, {
          stopCode: "SpotInterruption",
          stoppedReason: "Your Spot Task was interrupted.",
          exitCode: 143,
        }),
      ],
      summary: "1 stopped: 'Your Spot Task was interrupted.' (app exit 143) ×1",
    },
    {
      case: "an image that is not in the registry, said once though the container repeats it",
      tasks: () => [failedToStart(2, PULL_NOT_FOUND, PULL_NOT_FOUND)],
      summary: "1 stopped: CannotPullContainerError: pull image manifest has been retried 5 time(s) ×1",
    },
  ])("summarizes $case", async ({ tasks, summary }) => {
    const stopped = tasks();
    listTasks({ STOPPED: { "": { taskArns: arns(stopped) } }, RUNNING: { "": { taskArns: [] } } });
    describeTasks(stopped);

    const result = await collect();

    expect(stoppedTasksStep.summarize(result.data)).toBe(`${summary}; 0 running`);
  });

  it("says so when the service has no tasks at all", async () => {
    listTasks({ STOPPED: { "": { taskArns: [] } }, RUNNING: { "": { taskArns: [] } } });

    const result = await collect();

    expect(result.data).toEqual({ stopped: [], stoppedListed: 0, truncated: false, running: [], failures: [] });
    expect(ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 0);
    expect(stoppedTasksStep.summarize(result.data)).toBe("no stopped tasks listed; 0 running");
  });

  it("keeps the batches that answered when one DescribeTasks batch is throttled, and says the step is partial", async () => {
    // 250 stopped tasks: three batches of ≤ 100; the second one is throttled after the SDK's retries.
    const stopped = Array.from({ length: 250 }, (_, i) => sdkStoppedTask(1 + i * 0.2, { exitCode: 1 }));
    listTasks({
      STOPPED: {
        "": { taskArns: arns(stopped).slice(0, 100), nextToken: "s2" },
        s2: { taskArns: arns(stopped).slice(100) },
      },
      RUNNING: { "": { taskArns: [] } },
    });
    const byArn = new Map(stopped.map((t) => [t.taskArn!, t]));
    const secondBatch = new Set(arns(stopped).slice(100, 200));
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => {
      if (input.tasks.some((arn) => secondBatch.has(arn))) throw throttled("ecs");
      return { tasks: input.tasks.map((arn) => byArn.get(arn)!), failures: [] };
    });

    const result = await collect();

    expect(result.status).toBe("partial");
    if (result.status !== "partial") throw new Error("expected partial");
    expect(ecs).toHaveReceivedCommandTimes(DescribeTasksCommand, 3);
    expect(result.data.stoppedListed).toBe(250);
    expect(result.data.stopped.map((t) => t.taskArn)).toEqual([
      ...arns(stopped).slice(0, 100),
      ...arns(stopped).slice(200),
    ]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      kind: "throttled",
      code: "ThrottlingException",
      operation: "ecs:DescribeTasks",
    });
  });

  it("records the ARNs DescribeTasks answers with failures[] (MISSING: aged out since ListTasks)", async () => {
    const kept = sdkStoppedTask(3, { exitCode: 1 });
    const gone = TASK_ARN(taskId());
    listTasks({ STOPPED: { "": { taskArns: [kept.taskArn!, gone] } }, RUNNING: { "": { taskArns: [] } } });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [kept], failures: [{ arn: gone, reason: "MISSING" }] });

    const result = await collect();

    expect(result.status).toBe("collected");
    expect(result.data.stopped.map((t) => t.taskArn)).toEqual([kept.taskArn]);
    expect(result.data.failures).toEqual([{ arn: gone, reason: "MISSING" }]);
    expect(stoppedTasksStep.summarize(result.data)).toBe(
      "1 stopped: 'Essential container in task exited' (app exit 1) ×1; 0 running; 1 not described (MISSING)",
    );
  });

  it.each([
    {
      case: "AccessDenied on ecs:DescribeTasks",
      setup: () => {
        listTasks({ STOPPED: { "": { taskArns: arns([sdkStoppedTask(3)]) } }, RUNNING: { "": { taskArns: [] } } });
        ecs.on(DescribeTasksCommand).rejects(accessDenied("ecs:DescribeTasks"));
      },
      expected: { kind: "access_denied", code: "AccessDeniedException", operation: "ecs:DescribeTasks" },
      hint: "AccessDenied on ecs:DescribeTasks — grant it",
    },
    {
      case: "throttling on ecs:ListTasks",
      setup: () => {
        ecs.on(ListTasksCommand).rejects(throttled("ecs"));
      },
      expected: {
        kind: "throttled",
        code: "ThrottlingException",
        operation: "ecs:ListTasks",
        message: "Rate exceeded",
      },
      hint: "ecs:ListTasks was throttled",
    },
  ])("throws an error the runner reports with the IAM action: $case", async ({ setup, expected, hint }) => {
    setup();

    const thrown = await stoppedTasksStep.collect(makeContext()).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(thrown).toBeDefined();
    const stepError = toStepError(thrown);
    expect(stepError).toMatchObject(expected);
    expect(stepError.hint).toContain(hint);
  });
});
