import { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type ContainerDefinition,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { taskIdOf } from "../../../src/aws/arn";
import { ERROR_FILTER_PATTERN, taskLogsStep } from "../../../src/collect/steps/05-task-logs";
import { TaskLogsDataSchema, type TaskLogsData } from "../../../src/evidence/schema";
import { IMAGE, TASK_DEF_ARN, minutesAgo, sdkStoppedTask, sdkTask, sdkTaskDefinition } from "../../fixtures/aws";
import { accessDenied, notFound, throttled } from "../../fixtures/errors";
import { makeContext } from "../../helpers/context";

const ecs = mockClient(ECSClient);
const logs = mockClient(CloudWatchLogsClient);

beforeEach(() => {
  ecs.reset();
  logs.reset();
});

function givenTasks(stopped: Task[], running: Task[] = []): void {
  ecs.on(ListTasksCommand, { desiredStatus: "STOPPED" }).resolves({ taskArns: stopped.map((t) => t.taskArn!) });
  ecs.on(ListTasksCommand, { desiredStatus: "RUNNING" }).resolves({ taskArns: running.map((t) => t.taskArn!) });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [...running, ...stopped], failures: [] });
}

function givenTaskDefinitions(current: TaskDefinition = sdkTaskDefinition(42), previous?: TaskDefinition): void {
  ecs
    .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(42) })
    .resolves({ taskDefinition: current, tags: [] });
  if (previous) {
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(41) })
      .resolves({ taskDefinition: previous, tags: [] });
  } else {
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: TASK_DEF_ARN(41) })
      .rejects(notFound("ecs", "ClientException", "Unable to describe task definition."));
  }
}

function withContainers(
  revision: number,
  containers: ContainerDefinition[],
  overrides: Partial<TaskDefinition> = {},
): TaskDefinition {
  return sdkTaskDefinition(revision, { containerDefinitions: containers, ...overrides });
}

const appContainer = (overrides: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  ...sdkTaskDefinition(42).containerDefinitions![0]!,
  ...overrides,
});

const awslogs = (options: Record<string, string>) => ({ logDriver: "awslogs" as const, options, secretOptions: [] });

function logEvent(minutes: number, message: string) {
  const timestamp = minutesAgo(minutes).getTime();
  return { timestamp, message, ingestionTime: timestamp + 412 };
}

function filteredEvent(minutes: number, message: string, logStreamName: string) {
  const timestamp = minutesAgo(minutes).getTime();
  return {
    logStreamName,
    timestamp,
    message,
    ingestionTime: timestamp + 300,
    eventId: `3${timestamp}0000000000000000000000000000000000000000000`,
  };
}

function collected(result: Awaited<ReturnType<typeof taskLogsStep.collect>>): TaskLogsData {
  if (result.status === "skipped") throw new Error(`unexpected skip: ${result.skipReason}`);
  // Exactly the snapshot contract: parsing drops nothing and changes nothing.
  expect(TaskLogsDataSchema.parse(result.data)).toEqual(result.data);
  return result.data;
}

describe("step 5: task logs", () => {
  it.each([
    { case: "inside the prefixes", prefixes: ["/ecs/", "/aws/ecs/"], read: true },
    { case: "outside the prefixes (another team's logs)", prefixes: ["/aws/ecs/"], read: false },
    { case: "with no prefixes configured (the CLI on its own credentials)", prefixes: undefined, read: true },
  ])("reads a log group only $case, and says why when it does not", async ({ prefixes, read }) => {
    const task = sdkStoppedTask(5, { exitCode: 1 });
    givenTasks([task]);
    givenTaskDefinitions();
    logs
      .on(GetLogEventsCommand)
      .resolves({ events: [logEvent(6, "boom")], nextForwardToken: "f", nextBackwardToken: "b" });
    logs.on(FilterLogEventsCommand).resolves({ events: [], searchedLogStreams: [] });
    const ctx = makeContext({ limits: { maxLogTasks: 1, logGroupPrefixes: prefixes } });
    const data = collected(await taskLogsStep.collect(ctx));
    expect(logs.commandCalls(GetLogEventsCommand).length > 0).toBe(read);
    expect(logs.commandCalls(FilterLogEventsCommand).length > 0).toBe(read);
    if (!read) {
      expect(data.streams[0]?.error).toMatchObject({ code: "OutsideLogGroupPrefixes" });
      expect(data.streams[0]?.error?.hint).toContain("outside ECS_MEDIC_LOG_GROUP_PREFIXES (/aws/ecs/)");
      expect(data.patternSearches[0]?.error?.code).toBe("OutsideLogGroupPrefixes");
    }
  });

  it("reads the newest failed tasks' streams from their awslogs configuration, oldest line first, redacted", async () => {
    const older = sdkStoppedTask(30, { exitCode: 1 });
    const newest = sdkStoppedTask(5, { exitCode: 1 });
    const oldest = sdkStoppedTask(50, { exitCode: 1 });
    givenTasks([older, oldest, newest]);
    givenTaskDefinitions();
    const newestStream = `ecs/app/${taskIdOf(newest.taskArn!)}`;
    const olderStream = `ecs/app/${taskIdOf(older.taskArn!)}`;
    logs.on(GetLogEventsCommand, { logStreamName: newestStream }).resolves({
      events: [
        logEvent(7, "Starting payment-api v1.42 on port 8080"),
        logEvent(6, "connecting to postgres://payments:hunter2secret@db.internal:5432/payments\n"),
        logEvent(5, 'FATAL: password authentication failed for user "payments"'),
      ],
      nextForwardToken: "f/38250001234567890123456789012345678901234567890123456789",
      nextBackwardToken: "b/38250001234567890123456789012345678901234567890123456700",
    });
    logs.on(GetLogEventsCommand, { logStreamName: olderStream }).resolves({
      events: [logEvent(31, "Error: connect ECONNREFUSED 10.0.3.12:5432")],
      nextForwardToken: "f/1",
      nextBackwardToken: "b/1",
    });
    logs.on(FilterLogEventsCommand).resolves({
      events: [filteredEvent(5, 'FATAL: password authentication failed for user "payments"', newestStream)],
      searchedLogStreams: [],
    });
    const ctx = makeContext({ limits: { maxLogTasks: 2 } });

    const result = await taskLogsStep.collect(ctx);

    expect(result.status).toBe("collected");
    const data = collected(result);
    expect(data.streams.map((s) => s.logStream)).toEqual([newestStream, olderStream]);
    const first = data.streams[0]!;
    expect(first).toMatchObject({
      taskArn: newest.taskArn,
      containerName: "app",
      logGroup: "/ecs/payment-api",
      region: "us-east-1",
    });
    expect(first.lines.map((l) => l.timestamp)).toEqual([
      "2026-11-26T09:53:00Z",
      "2026-11-26T09:54:00Z",
      "2026-11-26T09:55:00Z",
    ]);
    expect(first.lines[1]!.message).toBe(
      "connecting to postgres://payments:[REDACTED:url-credentials]@db.internal:5432/payments",
    );
    expect(first.error).toBeUndefined();
    expect(logs).toHaveReceivedCommandWith(GetLogEventsCommand, {
      logGroupName: "/ecs/payment-api",
      logStreamName: newestStream,
      startFromHead: false,
      limit: 50,
    });
    expect(logs).toHaveReceivedCommandTimes(GetLogEventsCommand, 2);
    expect(data.patternSearches).toEqual([
      {
        logGroup: "/ecs/payment-api",
        logStreamNamePrefix: "ecs/app/",
        filterPattern: ERROR_FILTER_PATTERN,
        matches: [
          {
            timestamp: "2026-11-26T09:55:00Z",
            message: 'FATAL: password authentication failed for user "payments"',
            logStream: newestStream,
          },
        ],
        truncated: false,
      },
    ]);
    expect(logs).toHaveReceivedCommandWith(FilterLogEventsCommand, {
      logGroupName: "/ecs/payment-api",
      logStreamNamePrefix: "ecs/app/",
      startTime: Date.parse("2026-11-26T09:00:00Z"),
      endTime: Date.parse("2026-11-26T10:00:00Z"),
      filterPattern: ERROR_FILTER_PATTERN,
      limit: 50,
    });
    expect(data.skipped).toEqual([]);
    expect(taskLogsStep.summarize(data)).toBe(
      '2 stream(s) read, 4 line(s); error words: 1 match(es); last line: FATAL: password authentication failed for user "payments"',
    );
  });

  it("uses CloudWatch Logs filter-pattern syntax: any of the terms, phrases quoted", () => {
    expect(ERROR_FILTER_PATTERN).toBe(
      '?ERROR ?Error ?error ?Exception ?FATAL ?panic ?OOM ?"Out of memory" ?AccessDenied ?killed',
    );
  });

  it("reads the newest running tasks when nothing has stopped", async () => {
    const early = sdkTask({ startedAt: minutesAgo(40) });
    const late = sdkTask({ startedAt: minutesAgo(10) });
    givenTasks([], [early, late]);
    givenTaskDefinitions();
    logs
      .on(GetLogEventsCommand)
      .resolves({ events: [logEvent(1, "GET /health 200")], nextForwardToken: "f/1", nextBackwardToken: "b/1" });
    logs.on(FilterLogEventsCommand).resolves({ events: [], searchedLogStreams: [] });

    const data = collected(await taskLogsStep.collect(makeContext({ limits: { maxLogTasks: 1 } })));

    expect(data.streams.map((s) => s.taskArn)).toEqual([late.taskArn]);
  });

  it("reads each task with its own task definition when it is the previous one, else the current one", async () => {
    const onPrevious = sdkStoppedTask(5, {}, { taskDefinitionArn: TASK_DEF_ARN(41) });
    const onOlder = sdkStoppedTask(10, {}, { taskDefinitionArn: TASK_DEF_ARN(40) });
    givenTasks([onPrevious, onOlder]);
    givenTaskDefinitions(
      sdkTaskDefinition(42),
      withContainers(41, [
        appContainer({
          image: IMAGE("v1.41"),
          logConfiguration: awslogs({
            "awslogs-group": "/ecs/payment-api-old",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "svc",
          }),
        }),
      ]),
    );
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: "f/1", nextBackwardToken: "b/1" });
    logs.on(FilterLogEventsCommand).resolves({ events: [], searchedLogStreams: [] });

    const data = collected(await taskLogsStep.collect(makeContext()));

    expect(data.streams.map((s) => [s.logGroup, s.logStream])).toEqual([
      ["/ecs/payment-api-old", `svc/app/${taskIdOf(onPrevious.taskArn!)}`],
      ["/ecs/payment-api", `ecs/app/${taskIdOf(onOlder.taskArn!)}`],
    ]);
    expect(data.patternSearches.map((p) => p.logGroup)).toEqual(["/ecs/payment-api", "/ecs/payment-api-old"]);
  });

  it("pages the error search over empty pages that carry a token", async () => {
    givenTasks([sdkStoppedTask(5)]);
    givenTaskDefinitions();
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: "f/1", nextBackwardToken: "b/1" });
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({
        events: [filteredEvent(3, "java.lang.OutOfMemoryError: Java heap space", "ecs/app/a")],
        searchedLogStreams: [],
        nextToken: "t-1",
      })
      .resolvesOnce({ events: [], searchedLogStreams: [], nextToken: "t-2" })
      .resolvesOnce({ events: [filteredEvent(20, "ERROR pool exhausted", "ecs/app/b")], searchedLogStreams: [] });

    const data = collected(await taskLogsStep.collect(makeContext()));

    expect(logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 3);
    expect(logs).toHaveReceivedNthCommandWith(FilterLogEventsCommand, 3, { nextToken: "t-2" });
    const search = data.patternSearches[0]!;
    expect(search.truncated).toBe(false);
    // Oldest first, whatever order the pages came in.
    expect(search.matches.map((m) => m.message)).toEqual([
      "ERROR pool exhausted",
      "java.lang.OutOfMemoryError: Java heap space",
    ]);
  });

  it.each([
    {
      case: "the match cap",
      pages: [
        { events: [filteredEvent(1, "ERROR a", "s"), filteredEvent(2, "ERROR b", "s")], nextToken: "t-1" },
        { events: [filteredEvent(3, "ERROR c", "s"), filteredEvent(4, "ERROR d", "s")], nextToken: "t-2" },
      ],
      calls: 2,
      matches: 3,
    },
    {
      case: "the page cap (5 empty pages, each with a token)",
      pages: Array.from({ length: 8 }, (_, i) => ({ events: [], nextToken: `t-${i + 1}` })),
      calls: 5,
      matches: 0,
    },
  ])("stops the error search at $case and says it was truncated", async ({ pages, calls, matches }) => {
    givenTasks([sdkStoppedTask(5)]);
    givenTaskDefinitions();
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: "f/1", nextBackwardToken: "b/1" });
    let mock = logs.on(FilterLogEventsCommand);
    for (const page of pages) mock = mock.resolvesOnce({ ...page, searchedLogStreams: [] });

    const data = collected(await taskLogsStep.collect(makeContext({ limits: { maxPatternMatches: 3 } })));

    expect(logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, calls);
    expect(data.patternSearches[0]!.matches).toHaveLength(matches);
    expect(data.patternSearches[0]!.truncated).toBe(true);
    expect(taskLogsStep.summarize(data)).toContain(`error words: ${matches}+ match(es)`);
  });

  it.each([
    {
      case: "a log stream that does not exist",
      error: notFound("logs", "ResourceNotFoundException", "The specified log stream does not exist."),
      want: {
        kind: "not_found",
        code: "ResourceNotFoundException",
        operation: "logs:GetLogEvents",
        message: "The specified log stream does not exist.",
      },
    },
    {
      case: "AccessDenied on logs:GetLogEvents",
      error: accessDenied("logs:GetLogEvents"),
      want: { kind: "access_denied", code: "AccessDeniedException", operation: "logs:GetLogEvents" },
    },
    {
      case: "throttling",
      error: throttled("logs"),
      want: { kind: "throttled", code: "ThrottlingException", operation: "logs:GetLogEvents" },
    },
  ])("records $case on that stream only, and the step is partial", async ({ error, want }) => {
    const broken = sdkStoppedTask(5);
    const fine = sdkStoppedTask(10);
    givenTasks([broken, fine]);
    givenTaskDefinitions();
    logs.on(GetLogEventsCommand, { logStreamName: `ecs/app/${taskIdOf(broken.taskArn!)}` }).rejects(error);
    logs.on(GetLogEventsCommand, { logStreamName: `ecs/app/${taskIdOf(fine.taskArn!)}` }).resolves({
      events: [logEvent(11, "panic: runtime error: invalid memory address or nil pointer dereference")],
      nextForwardToken: "f/1",
      nextBackwardToken: "b/1",
    });
    logs.on(FilterLogEventsCommand).resolves({ events: [], searchedLogStreams: [] });

    const result = await taskLogsStep.collect(makeContext());

    expect(result.status).toBe("partial");
    if (result.status === "skipped") throw new Error("unexpected skip");
    const [bad, good] = result.data.streams;
    expect(bad!.lines).toEqual([]);
    expect(bad!.error).toMatchObject(want);
    expect(bad!.error!.hint).toContain("logs:GetLogEvents");
    expect(good!.error).toBeUndefined();
    expect(good!.lines).toHaveLength(1);
    expect(result.errors).toEqual([bad!.error]);
    expect(taskLogsStep.summarize(result.data)).toMatch(/^1 stream\(s\) read, 1 line\(s\), 1 unreadable;/);
  });

  it("records AccessDenied on logs:FilterLogEvents on the search and keeps the streams", async () => {
    givenTasks([sdkStoppedTask(5)]);
    givenTaskDefinitions();
    logs
      .on(GetLogEventsCommand)
      .resolves({ events: [logEvent(6, "Error: boom")], nextForwardToken: "f/1", nextBackwardToken: "b/1" });
    logs.on(FilterLogEventsCommand).rejects(accessDenied("logs:FilterLogEvents"));

    const result = await taskLogsStep.collect(makeContext());

    expect(result.status).toBe("partial");
    if (result.status === "skipped") throw new Error("unexpected skip");
    expect(result.data.streams[0]!.lines).toHaveLength(1);
    const search = result.data.patternSearches[0]!;
    expect(search.matches).toEqual([]);
    expect(search.error).toMatchObject({
      kind: "access_denied",
      code: "AccessDeniedException",
      operation: "logs:FilterLogEvents",
    });
    expect(search.error!.hint).toContain("grant it");
    expect(search.error!.hint).toContain("logs:FilterLogEvents");
  });

  it("skips containers it cannot read, names their drivers, and ignores non-essential sidecars", async () => {
    givenTasks([sdkStoppedTask(5)]);
    givenTaskDefinitions(
      withContainers(42, [
        appContainer(),
        appContainer({
          name: "log-router",
          image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
          logConfiguration: { logDriver: "awsfirelens", options: { Name: "datadog" } },
        }),
        appContainer({ name: "envoy", logConfiguration: undefined }),
        appContainer({ name: "legacy", logConfiguration: { logDriver: "json-file", options: {} } }),
        appContainer({ name: "xray", essential: false, logConfiguration: undefined }),
      ]),
    );
    logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: "f/1", nextBackwardToken: "b/1" });
    logs.on(FilterLogEventsCommand).resolves({ events: [], searchedLogStreams: [] });

    const data = collected(await taskLogsStep.collect(makeContext()));

    expect(data.streams.map((s) => s.containerName)).toEqual(["app"]);
    expect(data.skipped.map((s) => [s.containerName, s.logDriver])).toEqual([
      ["log-router", "awsfirelens"],
      ["envoy", undefined],
      ["legacy", "json-file"],
    ]);
    expect(data.skipped[0]!.reason).toContain("FireLens");
    expect(data.skipped[1]!.reason).toContain("no logConfiguration");
  });

  it("skips the step when no essential container logs to CloudWatch Logs", async () => {
    givenTasks([sdkStoppedTask(5)]);
    givenTaskDefinitions(
      withContainers(42, [
        appContainer({
          logConfiguration: { logDriver: "splunk", options: { "splunk-url": "https://splunk.example.com:8088" } },
        }),
      ]),
    );

    const result = await taskLogsStep.collect(makeContext());

    expect(result.status).toBe("skipped");
    if (result.status !== "skipped") throw new Error("expected a skip");
    expect(result.skipReason).toContain("splunk");
    expect(result.data?.skipped).toEqual([
      {
        containerName: "app",
        logDriver: "splunk",
        reason: "logs go to splunk; ecs-medic reads CloudWatch Logs (awslogs) only",
      },
    ]);
    expect(logs).toHaveReceivedCommandTimes(GetLogEventsCommand, 0);
    expect(logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 0);
  });

  it.each([
    {
      case: "on EC2 (the stream is named after the Docker container id)",
      launchType: "EC2" as const,
      compat: ["EC2" as const],
      reason: "Docker container id",
    },
    {
      case: "on Fargate (where a prefix is required)",
      launchType: "FARGATE" as const,
      compat: ["FARGATE" as const],
      reason: "Fargate requires",
    },
  ])(
    "skips the stream of awslogs without a stream prefix $case, and still searches the group",
    async ({ launchType, compat, reason }) => {
      givenTasks([sdkStoppedTask(5, {}, { launchType })]);
      givenTaskDefinitions(
        withContainers(
          42,
          [
            appContainer({
              logConfiguration: awslogs({ "awslogs-group": "/ecs/payment-api", "awslogs-region": "us-east-1" }),
            }),
          ],
          { requiresCompatibilities: compat },
        ),
      );
      logs.on(FilterLogEventsCommand).resolves({ events: [], searchedLogStreams: [] });

      const data = collected(await taskLogsStep.collect(makeContext()));

      expect(data.streams).toEqual([]);
      expect(data.skipped[0]!.reason).toContain(reason);
      expect(logs).toHaveReceivedCommandTimes(GetLogEventsCommand, 0);
      const call = logs.commandCalls(FilterLogEventsCommand)[0]!.args[0].input;
      expect(call.logGroupName).toBe("/ecs/payment-api");
      expect(call.logStreamNamePrefix).toBeUndefined();
    },
  );

  it("records a log group in another region on its items without reading it, and without counting a step error", async () => {
    const task = sdkStoppedTask(5);
    givenTasks([task]);
    givenTaskDefinitions(
      withContainers(42, [
        appContainer({
          logConfiguration: awslogs({
            "awslogs-group": "/ecs/payment-api",
            "awslogs-region": "eu-west-1",
            "awslogs-stream-prefix": "ecs",
          }),
        }),
      ]),
    );

    const result = await taskLogsStep.collect(makeContext());

    // Nothing failed: the read was not made, and the item says why.
    expect(result.status).toBe("collected");
    if (result.status === "skipped") throw new Error("unexpected skip");
    expect(result.errors).toEqual([]);
    expect(result.data.streams[0]).toMatchObject({
      logStream: `ecs/app/${taskIdOf(task.taskArn!)}`,
      region: "eu-west-1",
      lines: [],
    });
    expect(result.data.streams[0]!.error).toMatchObject({
      kind: "other_region",
      code: "OtherRegion",
      operation: "logs:GetLogEvents",
    });
    expect(result.data.streams[0]!.error!.hint).toContain("--region eu-west-1");
    expect(result.data.patternSearches[0]!.error).toMatchObject({
      kind: "other_region",
      code: "OtherRegion",
      operation: "logs:FilterLogEvents",
    });
    expect(logs).toHaveReceivedCommandTimes(GetLogEventsCommand, 0);
    expect(logs).toHaveReceivedCommandTimes(FilterLogEventsCommand, 0);
  });

  it("handles answers without events (optional fields absent)", async () => {
    givenTasks([sdkStoppedTask(5)]);
    givenTaskDefinitions(
      withContainers(42, [
        appContainer({
          logConfiguration: awslogs({ "awslogs-group": "/ecs/payment-api", "awslogs-stream-prefix": "ecs" }),
        }),
      ]),
    );
    logs.on(GetLogEventsCommand).resolves({ nextForwardToken: "f/1", nextBackwardToken: "b/1" });
    logs.on(FilterLogEventsCommand).resolves({});

    const result = await taskLogsStep.collect(makeContext());

    expect(result.status).toBe("collected");
    const data = collected(result);
    expect(data.streams[0]!.lines).toEqual([]);
    expect(data.streams[0]!).not.toHaveProperty("region");
    expect(data.patternSearches[0]!.matches).toEqual([]);
    expect(taskLogsStep.summarize(data)).toBe("1 stream(s) read, 0 line(s); error words: 0 match(es)");
  });

  it("skips the stream of a task whose container never started instead of reading a stream that does not exist", async () => {
    // A task stopped while fetching its secrets: no startedAt, and the container has no runtime id.
    const failed = sdkStoppedTask(2, {
      stopCode: "TaskFailedToStart",
      stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth",
    });
    const { startedAt: _s, ...neverStarted } = failed;
    const { runtimeId: _r, ...container } = failed.containers![0]!;
    const notStarted: Task = { ...neverStarted, containers: [container] };
    // Started, but this container did not get going (no runtime id) although the task has a startedAt.
    const noRuntime = sdkStoppedTask(4, { exitCode: 1 });
    const { runtimeId: _r2, ...noRuntimeContainer } = noRuntime.containers![0]!;
    const half: Task = { ...noRuntime, containers: [noRuntimeContainer] };
    const crashed = sdkStoppedTask(6, { exitCode: 1 });
    givenTasks([notStarted, half, crashed]);
    givenTaskDefinitions();
    logs
      .on(GetLogEventsCommand)
      .resolves({ events: [logEvent(6, "panic: boom")], nextForwardToken: "f/1", nextBackwardToken: "b/1" });
    logs.on(FilterLogEventsCommand).resolves({ events: [], searchedLogStreams: [] });

    const result = await taskLogsStep.collect(makeContext());

    expect(result.status).toBe("collected");
    const data = collected(result);
    expect(data.streams.map((s) => s.taskArn)).toEqual([crashed.taskArn]);
    expect(logs).toHaveReceivedCommandTimes(GetLogEventsCommand, 1);
    expect(logs).toHaveReceivedCommandWith(GetLogEventsCommand, {
      logStreamName: `ecs/app/${taskIdOf(crashed.taskArn!)}`,
    });
    expect(data.skipped).toEqual([
      {
        containerName: "app",
        taskArn: notStarted.taskArn,
        logDriver: "awslogs",
        reason: "container never started (stopped before start-up finished)",
      },
      {
        containerName: "app",
        taskArn: half.taskArn,
        logDriver: "awslogs",
        reason: "container never started (stopped before start-up finished)",
      },
    ]);
  });

  it("fails the step when the tasks cannot be listed (the runner records it)", async () => {
    givenTaskDefinitions();
    ecs.on(ListTasksCommand).rejects(accessDenied("ecs:ListTasks"));

    await expect(taskLogsStep.collect(makeContext())).rejects.toMatchObject({
      name: "AwsCallError",
      operation: "ecs:ListTasks",
    });
  });
});
