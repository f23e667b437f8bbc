/** The `alarm` handler in process: in-memory stores, Slack on a loopback stub, the worker replaced by its wiring. */
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ServiceLookup } from "../../src/alarms/service-lookup";
import { EMPTY_CONFIG, parseConfig, type Config } from "../../src/config/config";
import { handler, setAlarmDepsForTests } from "../../src/handlers/alarm";
import { MemoryIdempotencyStore } from "../../src/store/idempotency";
import { fingerprintOf, MemoryIncidentStore } from "../../src/store/incidents";
import { readArchivedStoppedTasks } from "../../src/store/stopped-tasks";
import {
  ebAlarmStateChange,
  ebCompositeAlarm,
  ecsDeploymentEvent,
  ecsServiceAction,
  ecsTaskStopped,
  snsAlarmMessage,
  snsEvent,
} from "../fixtures/events";
import { fakeWorker, type FakeWorker } from "../helpers/alarm-harness";
import { startSlackStub, type SlackStub } from "../helpers/slack-stub";

let stub: SlackStub;
let store: MemoryIncidentStore;
let worker: FakeWorker;
let now = new Date("2026-11-26T10:01:00Z");
const clock = () => new Date(now);
const logs: { message: string }[] = [];
const lookup: ServiceLookup = { servicesForTargetGroup: async () => [], alarmTags: async () => ({}) };
const FP = fingerprintOf(
  { account: "123456789012", region: "us-east-1", cluster: "prod", service: "payment-api" },
  "alarm#payment-api-cpu-high",
);

function setup(config: Config = EMPTY_CONFIG) {
  store = new MemoryIncidentStore();
  worker = fakeWorker({ slackUrl: stub.url, store, clock });
  setAlarmDepsForTests({
    incidents: store,
    deliveries: new MemoryIdempotencyStore(),
    dispatch: (job) => worker.dispatch(job),
    slack: new WebClient("xoxb-test", { slackApiUrl: stub.url, retryConfig: { retries: 0 } }),
    lookup,
    config,
    clock,
    env: { ECS_MEDIC_DEFAULT_CHANNEL: "C0INCIDENT" },
    log: (message, detail) => logs.push({ message, ...detail }),
  });
}

const posts = () => stub.calls.filter((c) => c.method === "chat.postMessage" && !c.args.thread_ts);
const replies = () => stub.calls.filter((c) => c.method === "chat.postMessage" && c.args.thread_ts);
const updates = () => stub.calls.filter((c) => c.method === "chat.update");
const text = (c: { args: Record<string, unknown> }) => JSON.stringify(c.args.blocks);

beforeAll(async () => {
  stub = await startSlackStub();
});
afterAll(async () => {
  setAlarmDepsForTests(undefined);
  await stub.close();
});
beforeEach(() => {
  now = new Date("2026-11-26T10:01:00Z");
  stub.calls.length = 0;
  logs.length = 0;
  vi.stubEnv("SLACK_BOT_TOKEN", "xoxb-test");
  setup();
});

describe("alarm handler", () => {
  it("SNS alarm for prod/payment-api: one diagnosis job with the incident; repeats thread; OK resolves the post", async () => {
    await handler(snsEvent(snsAlarmMessage({}), "m-1"));
    await worker.settle();
    expect(worker.jobs).toHaveLength(1);
    const job = worker.jobs[0]!;
    expect(job).toMatchObject({
      kind: "diagnose",
      service: "payment-api",
      cluster: "prod",
      channel: "C0INCIDENT",
      incident: {
        source: "alarm",
        title: "payment-api-cpu-high",
        alarmName: "payment-api-cpu-high",
        metric: "AWS/ECS CPUUtilization AVERAGE",
        threshold: "> 80",
        value: "97.3",
        since: "2026-11-26T10:00:00.123Z",
        generation: 1,
        link: expect.stringContaining("alarmsV2:alarm/payment-api-cpu-high"),
      },
    });
    expect(posts()).toHaveLength(1);
    expect(text(posts()[0]!)).toContain("payment-api-cpu-high");

    // The same delivery again: nothing. A new notification of the same alarm: one thread reply, counter 2.
    await handler(snsEvent(snsAlarmMessage({}), "m-1"));
    now = new Date("2026-11-26T10:03:00Z");
    await handler(snsEvent(snsAlarmMessage({ at: "2026-11-26T10:02:00.000+0000" }), "m-2"));
    expect(worker.jobs).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    expect(replies()).toHaveLength(1);
    expect((await store.get(FP))!.count).toBe(2);

    // OK: the post's header turns resolved (the report blocks kept), and the thread says so.
    now = new Date("2026-11-26T10:26:00Z");
    await handler(snsEvent(snsAlarmMessage({ state: "OK", at: "2026-11-26T10:25:00.000+0000" }), "m-3"));
    const last = updates().at(-1)!;
    expect(text(last)).toContain("resolved");
    expect(text(last)).toContain("Verdict");
    expect(replies().at(-1)!.args.text).toMatch(/Resolved after 25 min/);
    expect((await store.get(FP))!.state).toBe("resolved");
  });

  it("an ALARM 10 min after resolving reopens (same post); 2 h later starts a new incident with a new diagnosis", async () => {
    await handler(ebAlarmStateChange({ id: "a1" }));
    await worker.settle();
    await handler(ebAlarmStateChange({ id: "o1", state: "OK", at: "2026-11-26T10:20:00.000+0000" }));
    await handler(ebAlarmStateChange({ id: "a2", at: "2026-11-26T10:30:00.000+0000" }));
    expect(worker.jobs).toHaveLength(1);
    expect(replies().at(-1)!.args.text).toMatch(/Firing again 10 min after it resolved/);
    await handler(ebAlarmStateChange({ id: "o2", state: "OK", at: "2026-11-26T10:40:00.000+0000" }));
    await handler(ebAlarmStateChange({ id: "a3", at: "2026-11-26T12:40:00.000+0000" }));
    await worker.settle();
    expect(worker.jobs.map((j) => j.incident?.generation)).toEqual([1, 2]);
    expect(posts()).toHaveLength(2);
  });

  it("OK delivered before its ALARM: the incident is still posted, already resolved", async () => {
    await handler(ebAlarmStateChange({ id: "o1", state: "OK", at: "2026-11-26T10:20:00.000+0000" }));
    expect(worker.jobs).toHaveLength(0);
    await handler(ebAlarmStateChange({ id: "a1" }));
    await worker.settle();
    expect(worker.jobs).toHaveLength(1);
    expect((await store.get(FP))!.state).toBe("resolved");
    expect(text(updates().at(-1)!)).toContain("resolved");
  });

  it("INSUFFICIENT_DATA changes nothing", async () => {
    await handler(ebAlarmStateChange({ id: "i1", state: "INSUFFICIENT_DATA" }));
    expect(worker.jobs).toHaveLength(0);
    expect(stub.calls).toEqual([]);
  });

  it("an alarm that maps to nothing is still posted, saying so — no diagnosis", async () => {
    await handler(ebCompositeAlarm());
    expect(worker.jobs).toHaveLength(0);
    expect(posts()).toHaveLength(1);
    expect(text(posts()[0]!)).toContain("does not map to an ECS service");
    expect(text(posts()[0]!)).toContain("composite alarm");
  });

  it.each([
    { case: "truncated SNS message", event: snsEvent(JSON.stringify(snsAlarmMessage({})).slice(0, 90)) },
    { case: "not an event", event: { hello: "world" } },
  ])("$case: logged, no crash, nothing posted", async ({ event }) => {
    const out = await handler(event as never);
    expect(out.rejected).toBe(1);
    expect(logs).toEqual([
      expect.objectContaining({ message: "malformed alarm/event payload dropped: nothing posted" }),
    ]);
    expect(stub.calls).toEqual([]);
    expect(worker.jobs).toEqual([]);
  });

  it("ECS deployment failed → diagnosis; WARN into its thread; deployment completed → resolved", async () => {
    await handler(ecsDeploymentEvent({ id: "d1" }));
    await worker.settle();
    expect(worker.jobs).toHaveLength(1);
    expect(worker.jobs[0]!.incident).toMatchObject({ source: "ecs-event", title: "SERVICE_DEPLOYMENT_FAILED" });
    await handler(ecsServiceAction({ id: "w1", eventType: "WARN" }));
    expect(replies().at(-1)!.args.text).toMatch(/SERVICE_TASK_START_IMPAIRED/);
    await handler(
      ecsDeploymentEvent({ id: "d2", eventName: "SERVICE_DEPLOYMENT_COMPLETED", at: "2026-11-26T10:15:00Z" }),
    );
    expect(replies().at(-1)!.args.text).toMatch(/Resolved after 15 min/);
  });

  it("storm: 12 services failing placement for the same reason become one post listing them", async () => {
    const services = Array.from({ length: 12 }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
    for (const service of services) await handler(ecsServiceAction({ id: `p-${service}`, service }));
    await worker.settle();
    expect(worker.jobs).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    const header = text(updates().at(-1)!);
    expect(header).toContain("also affected");
    for (const service of services.slice(1)) expect(header).toContain(`prod/${service}`);
    expect(header).toContain("SERVICE_TASK_PLACEMENT_FAILURE RESOURCE:FARGATE on FARGATE_SPOT");
  });

  it("storm via the archive: alarms of services whose tasks cannot pull from the same registry group", async () => {
    for (const service of ["api", "web", "jobs"]) {
      await handler(
        ecsTaskStopped({
          id: `t-${service}`,
          service,
          taskId: `${service}0000000000000000000000000000`.slice(0, 32),
          stoppedAt: "2026-11-26T09:58:00.000Z",
          stopCode: "TaskFailedToStart",
          stoppedReason:
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref",
          containerReason: "",
          exitCode: 0,
        }),
      );
    }
    for (const service of ["api", "web", "jobs"]) {
      await handler(
        ebAlarmStateChange({
          id: `a-${service}`,
          alarmName: `${service}-unhealthy`,
          dimensions: { ClusterName: "prod", ServiceName: service },
        }),
      );
    }
    await worker.settle();
    expect(worker.jobs).toHaveLength(1);
    expect(text(updates().at(-1)!)).toContain("image pulls failing from 123456789012.dkr.ecr.us-east-1.amazonaws.com");
  });

  it("routes by config; archives STOPPED tasks of watched services only", async () => {
    setup(
      parseConfig({
        routes: [{ service: "payment-api", channel: "C0PAYMENTS" }],
        stoppedTaskArchive: { clusters: ["prod"] },
      }),
    );
    await handler(ebAlarmStateChange({ id: "r1" }));
    await worker.settle();
    expect(worker.jobs[0]!.channel).toBe("C0PAYMENTS");
    const archived = await handler(ecsTaskStopped({ id: "s1" }));
    expect(archived.outcomes[0]).toMatchObject({ status: "archived" });
    expect((await handler(ecsTaskStopped({ id: "s2", cluster: "staging" }))).outcomes[0]).toMatchObject({
      status: "not-archived",
    });
    const tasks = await readArchivedStoppedTasks(
      store,
      "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
      "payment-api",
      {
        since: "2026-11-26T01:00:00Z",
        until: "2026-11-26T04:00:00Z",
      },
    );
    expect(tasks).toEqual([
      expect.objectContaining({
        taskArn: "arn:aws:ecs:us-east-1:123456789012:task/prod/c13b4cb40f1f4fe4a2971f76ae5a47ad",
        archived: true,
        stopCode: "EssentialContainerExited",
        stoppedAt: "2026-11-26T02:10:00Z",
        subnetId: "subnet-0a1b2c3d",
        taskDefinitionArn: expect.stringContaining("payment-api:42"),
        containers: [expect.objectContaining({ exitCode: 137, reason: expect.stringMatching(/OutOfMemory/) })],
      }),
    ]);
  });
});
