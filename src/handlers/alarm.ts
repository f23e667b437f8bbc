import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { WebClient } from "@slack/web-api";
import type { Context, EventBridgeEvent, SNSEvent } from "aws-lambda";
import { handleSignals, type AlarmDeps, type HandleResult } from "../alarms/handle";
import { parseTrigger } from "../alarms/parse";
import { createServiceLookup } from "../alarms/service-lookup";
import { systemClock } from "../clock";
import { loadConfig } from "../config/config";
import { loadBotToken } from "../slack/credentials";
import { lambdaDispatch } from "../slack/dispatch";
import { DynamoIdempotencyStore, MemoryIdempotencyStore } from "../store/idempotency";
import { DynamoIncidentStore, MemoryIncidentStore } from "../store/incidents";

/**
 * The `alarm` function: subscribed to the alarms' SNS topic and to EventBridge rules for "CloudWatch Alarm State
 * Change", "ECS Deployment State Change", "ECS Service Action" and "ECS Task State Change". Parses, de-duplicates,
 * maps, applies the signal to its incident and hands a diagnosis to the `worker` (async invoke) — see
 * src/alarms/handle.ts. A malformed payload is logged and dropped (a retry cannot fix it); a transient AWS or Slack
 * failure throws, so Lambda retries the delivery.
 */

export type AlarmEvent = SNSEvent | EventBridgeEvent<string, unknown>;

const log = (message: string, detail?: Record<string, unknown>) => console.log(JSON.stringify({ message, ...detail }));

let ready: Promise<AlarmDeps> | undefined;
let override: Partial<AlarmDeps> | undefined;

/** Test seam: replace parts of the runtime (dispatch, clock, stores) for the next cold start; undefined resets. */
export function setAlarmDepsForTests(deps: Partial<AlarmDeps> | undefined): void {
  override = deps;
  ready = undefined;
}

const SDK = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const;

async function init(): Promise<AlarmDeps> {
  const config = override?.config ?? loadConfig();
  const table = process.env.ECS_MEDIC_TABLE;
  const doc = table
    ? DynamoDBDocumentClient.from(new DynamoDBClient({ ...SDK, requestHandler: { ...SDK.requestHandler } }))
    : undefined;
  const say = override?.log ?? log;
  if (!table && !override?.incidents)
    say("ECS_MEDIC_TABLE is not set: incidents are de-duplicated within this container only");
  const workerName = process.env.WORKER_FUNCTION_NAME;
  const botToken = override?.slack ? "" : await loadBotToken();
  const slack =
    override?.slack ??
    new WebClient(botToken, {
      ...(process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {}),
      timeout: 10_000,
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3000 },
    });
  return {
    incidents: override?.incidents ?? (doc && table ? new DynamoIncidentStore(doc, table) : new MemoryIncidentStore()),
    deliveries:
      override?.deliveries ?? (doc && table ? new DynamoIdempotencyStore(doc, table) : new MemoryIdempotencyStore()),
    dispatch:
      override?.dispatch ??
      (workerName
        ? lambdaDispatch(new LambdaClient({ ...SDK, requestHandler: { ...SDK.requestHandler } }), {
            worker: workerName,
          })
        : async () => {
            throw new Error("WORKER_FUNCTION_NAME is not set");
          }),
    slack,
    lookup:
      override?.lookup ??
      createServiceLookup({
        ecs: new ECSClient({ ...SDK, requestHandler: { ...SDK.requestHandler } }),
        cloudwatch: new CloudWatchClient({ ...SDK, requestHandler: { ...SDK.requestHandler } }),
        clock: systemClock,
        log,
      }),
    config: override?.config ?? config,
    clock: systemClock,
    env: process.env,
    log,
    ...override,
  };
}

export const handler = async (event: AlarmEvent, context?: Pick<Context, "awsRequestId">): Promise<HandleResult> => {
  const parsed = parseTrigger(event);
  if (parsed.signals.length === 0) {
    // Nothing to act on: log what was wrong and return (no retry: the same payload would fail the same way).
    const say = override?.log ?? log;
    for (const r of parsed.rejected) say("malformed alarm/event payload dropped: nothing posted", { ...r });
    for (const i of parsed.ignored) say("event ignored", { ...i });
    return { outcomes: [], rejected: parsed.rejected.length };
  }
  ready ??= init().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  const deps = await ready;
  return handleSignals(parsed, { ...deps, ...(context?.awsRequestId ? { runId: context.awsRequestId } : {}) });
};
