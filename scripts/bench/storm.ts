/**
 * `storm`: 200 alarm deliveries across 20 services through the real alarm handler code (src/handlers/alarm.ts,
 * src/alarms/*), with the stand-ins the alarm tests use: the in-memory incident and delivery stores, Slack on a
 * loopback stub, the worker replaced by its incident wiring (test/helpers/alarm-harness.ts). Per service: the
 * EventBridge ALARM three times, its SNS twin twice, a repeat, the OK twice, the SNS OK and INSUFFICIENT_DATA,
 * shuffled and delivered 25 at a time (as test/handlers/alarm-moto.test.ts does against DynamoDB).
 *
 * `diagnoses` are the worker jobs the handler dispatched; `cloudtrail_calls` are those diagnoses × the LookupEvents
 * calls one diagnosis makes (measured by the bench's diagnosis run), paced by the shared per-account budget.
 */
import { WebClient } from "@slack/web-api";
import { EMPTY_CONFIG } from "../../src/config/config";
import { handler, setAlarmDepsForTests } from "../../src/handlers/alarm";
import { MemoryIdempotencyStore } from "../../src/store/idempotency";
import { MemoryIncidentStore } from "../../src/store/incidents";
import { fakeWorker, seeded, shuffle, stormDeliveries } from "../../test/helpers/alarm-harness";
import { startSlackStub } from "../../test/helpers/slack-stub";

export interface StormFigure {
  readonly alarms: number;
  readonly services: number;
  readonly posts: number;
  readonly diagnoses: number;
  readonly cloudtrail_calls: number;
}

export async function stormFigure(lookupsPerDiagnosis: number): Promise<StormFigure> {
  const services = Array.from({ length: 20 }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
  const stub = await startSlackStub();
  const now = new Date("2026-11-26T10:30:00Z");
  const clock = () => new Date(now);
  const store = new MemoryIncidentStore(() => new Promise((r) => setImmediate(r)));
  const worker = fakeWorker({ slackUrl: stub.url, store, clock });
  const previous = process.env.SLACK_BOT_TOKEN;
  process.env.SLACK_BOT_TOKEN = "xoxb-bench";
  setAlarmDepsForTests({
    incidents: store,
    deliveries: new MemoryIdempotencyStore(),
    dispatch: (job) => worker.dispatch(job),
    slack: new WebClient("xoxb-bench", { slackApiUrl: stub.url, retryConfig: { retries: 0 } }),
    lookup: { servicesForTargetGroup: async () => [], alarmTags: async () => ({}) },
    config: EMPTY_CONFIG,
    clock,
    env: { ECS_MEDIC_DEFAULT_CHANNEL: "C0INCIDENT" },
    log: () => undefined,
  });
  try {
    const order = shuffle(stormDeliveries(services), seeded(10));
    for (let i = 0; i < order.length; i += 25) {
      await Promise.all(order.slice(i, i + 25).map((event) => handler(event as never)));
    }
    await worker.settle();
    const posts = stub.calls.filter((c) => c.method === "chat.postMessage" && !c.args.thread_ts).length;
    return {
      alarms: order.length,
      services: services.length,
      posts,
      diagnoses: worker.jobs.length,
      cloudtrail_calls: worker.jobs.length * lookupsPerDiagnosis,
    };
  } finally {
    setAlarmDepsForTests(undefined);
    if (previous === undefined) delete process.env.SLACK_BOT_TOKEN;
    else process.env.SLACK_BOT_TOKEN = previous;
    await stub.close();
  }
}
