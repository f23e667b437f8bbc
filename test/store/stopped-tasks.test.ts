import { DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseTrigger, type TaskStoppedSignal } from "../../src/alarms/parse";
import { createClients } from "../../src/aws/clients";
import { fixedClock } from "../../src/clock";
import { createCollectContext } from "../../src/collect/collect-evidence";
import { stoppedTasksStep } from "../../src/collect/steps/03-stopped-tasks";
import { StoppedTasksDataSchema, type Task } from "../../src/evidence/schema";
import { MemoryIncidentStore } from "../../src/store/incidents";
import { archiveStoppedTask, mergeStoppedTasks, readArchivedStoppedTasks } from "../../src/store/stopped-tasks";
import { ecsTaskStopped } from "../fixtures/events";
import { CLUSTER_ARN, NOW, REGION, SERVICE, TASK_ARN, sdkService, sdkStoppedTask } from "../fixtures/aws";
import { TARGET } from "../helpers/context";

const ecs = mockClient(ECSClient);
const stopped = (event: unknown) => parseTrigger(event).signals[0] as TaskStoppedSignal;
const window = { since: "2026-11-26T01:00:00Z", until: NOW };

describe("stopped-task archive", () => {
  it("keeps the newest event of a task; reads a window newest first, in the snapshot's Task shape", async () => {
    const store = new MemoryIncidentStore();
    const now = new Date("2026-11-26T02:11:00Z");
    await archiveStoppedTask(store, stopped(ecsTaskStopped({ taskId: "a".repeat(32), version: 5 })), { now });
    // An older event of the same task (lower detail.version) does not overwrite it.
    await archiveStoppedTask(store, stopped(ecsTaskStopped({ taskId: "a".repeat(32), version: 4, exitCode: 1 })), {
      now,
    });
    await archiveStoppedTask(
      store,
      stopped(
        ecsTaskStopped({
          taskId: "b".repeat(32),
          stoppedAt: "2026-11-26T03:00:00.000Z",
          exitCode: 1,
          containerReason: "",
        }),
      ),
      { now },
    );
    await archiveStoppedTask(
      store,
      stopped(ecsTaskStopped({ taskId: "c".repeat(32), stoppedAt: "2026-11-25T20:00:00.000Z" })),
      {
        now,
      },
    );
    const tasks = await readArchivedStoppedTasks(store, CLUSTER_ARN, SERVICE, window);
    expect(tasks.map((t) => t.taskArn.slice(-1))).toEqual(["b", "a"]);
    expect(tasks[1]!.containers[0]!.exitCode).toBe(137);
    for (const t of tasks) expect(StoppedTasksDataSchema.shape.stopped.element.parse(t)).toEqual(t);
  });

  it("merge: one per task ARN, ListTasks wins, newest stoppedAt first", () => {
    const t = (arn: string, stoppedAt: string, extra: Partial<Task> = {}): Task => ({
      taskArn: arn,
      stoppedAt,
      containers: [],
      ...extra,
    });
    const merged = mergeStoppedTasks(
      [t("x", "2026-11-26T09:50:00Z", { stopCode: "listed" })],
      [
        t("x", "2026-11-26T09:50:00Z", { archived: true }),
        t("y", "2026-11-26T09:55:00Z", { archived: true }),
        t("z", "2026-11-26T02:00:00Z", { archived: true }),
      ],
    );
    expect(merged.map((m) => [m.taskArn, m.archived ?? false, m.stopCode ?? ""])).toEqual([
      ["y", true, ""],
      ["x", false, "listed"],
      ["z", true, ""],
    ]);
  });
});

describe("step 3 with the archive", () => {
  beforeEach(() => ecs.reset());

  it("an archived STOPPED task that ListTasks no longer returns appears in a later collection, marked archived", async () => {
    // 02:10 — the crash loop; its STOPPED event is archived.
    const store = new MemoryIncidentStore();
    const crashed = ecsTaskStopped({ taskId: "d".repeat(32), stoppedAt: "2026-11-26T02:10:00.103Z" });
    await archiveStoppedTask(store, stopped(crashed), { now: new Date("2026-11-26T02:10:05Z") });

    // 10:00 — ECS purged it long ago: ListTasks returns only a recent stopped task.
    const recent = sdkStoppedTask(5, {
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
    });
    const recentArn = recent.taskArn!;
    ecs.on(ListTasksCommand, { desiredStatus: "STOPPED" }).resolves({ taskArns: [recentArn] });
    ecs.on(ListTasksCommand, { desiredStatus: "RUNNING" }).resolves({ taskArns: [] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [recent], failures: [] });

    const ctx = createCollectContext({
      clients: createClients({ region: REGION, maxAttempts: 1 }),
      resolved: { target: TARGET, service: sdkService() },
      window,
      clock: fixedClock(NOW),
      archivedStoppedTasks: (target, w) => readArchivedStoppedTasks(store, target.clusterArn, target.service, w),
    });
    const out = await stoppedTasksStep.collect(ctx);
    expect(out.status).toBe("collected");
    const data = out.status === "collected" ? out.data : undefined;
    expect(data!.stopped.map((t) => [t.taskArn, t.archived ?? false])).toEqual([
      [recentArn, false],
      [TASK_ARN("d".repeat(32)), true],
    ]);
    expect(data!.stopped[1]).toMatchObject({
      stopCode: "EssentialContainerExited",
      containers: [expect.objectContaining({ exitCode: 137, reason: expect.stringMatching(/OutOfMemoryError/) })],
    });
    expect(data!.stoppedListed).toBe(1);
    expect(stoppedTasksStep.summarize(data!)).toMatch(/^2 stopped/);
  });

  it("an archive that cannot be read is one error; ListTasks' tasks are still there", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    const ctx = createCollectContext({
      clients: createClients({ region: REGION, maxAttempts: 1 }),
      resolved: { target: TARGET, service: sdkService() },
      window,
      clock: fixedClock(NOW),
      archivedStoppedTasks: async () => {
        throw Object.assign(new Error("User is not authorized to perform: dynamodb:Query"), {
          name: "AccessDeniedException",
        });
      },
    });
    const out = await stoppedTasksStep.collect(ctx);
    expect(out.status).toBe("partial");
    expect(out.status === "partial" ? out.errors[0] : undefined).toMatchObject({ operation: "dynamodb:Query" });
  });
});
