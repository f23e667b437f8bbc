import { LambdaClient } from "@aws-sdk/client-lambda";
import { App, AwsLambdaReceiver, LogLevel } from "@slack/bolt";
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from "aws-lambda";
import { systemClock } from "../clock";
import { registerListeners } from "../slack/app";
import { ACK_PATH_SDK_CONFIG, loadActionKey, loadSigningSecret } from "../slack/credentials";
import { lambdaDispatch, type Dispatch } from "../slack/dispatch";
import type { AccessAuditLog } from "../store/access-audit";

type ReceiverHandler = Awaited<ReturnType<AwsLambdaReceiver["start"]>>;

/** Built once per Lambda container: the signing secret (cached by Powertools), the Bolt app and its receiver. */
let ready: Promise<ReceiverHandler> | undefined;

/** When the signing secret was last read fresh from SSM (after a 401), so a flood of bad requests reads it once. */
let lastForcedRead = Number.NEGATIVE_INFINITY;
const REREAD_AFTER_401_MS = 60_000;

/** Test seam: the dispatcher the next cold start uses (default: async invoke of WORKER_FUNCTION_NAME). */
let dispatchOverride: Dispatch | undefined;
export function setDispatchForTests(dispatch: Dispatch | undefined): void {
  dispatchOverride = dispatch;
  ready = undefined;
  lastForcedRead = Number.NEGATIVE_INFINITY;
}

const log = (message: string, detail?: Record<string, unknown>) => console.log(JSON.stringify({ message, ...detail }));

/** The worker invoke, with the same bounds as the SSM read: a stalled connection costs ≤ ~2.2 s, not Slack's 3 s. */
function workerDispatch(functions: { worker: string; actions?: string | undefined }): Dispatch {
  return lambdaDispatch(
    new LambdaClient({ ...ACK_PATH_SDK_CONFIG, requestHandler: { ...ACK_PATH_SDK_CONFIG.requestHandler } }),
    functions,
  );
}

async function init(forceFetch = false): Promise<ReceiverHandler> {
  // The access: section needs YAML and zod: loaded while the SSM reads are in flight, not at import (cold init).
  const [signingSecret, actionKey, { loadAccessPolicy }] = await Promise.all([
    loadSigningSecret(process.env, { forceFetch }),
    loadActionKey(process.env),
    import("../config/access"),
  ]);
  const receiver = new AwsLambdaReceiver({ signingSecret, logLevel: LogLevel.WARN });
  const app = new App({
    // No token at all: this function only acks (the HTTP response) and answers through response_url, neither of which
    // needs one, so its role cannot read the bot token. An empty authorization (Bolt 5 accepts it for commands and
    // block_actions: no token, so listeners get the token-less default client) also avoids `token`'s auth.test — a
    // Slack round trip on the 3-second ack path. The bot's own id only matters for message events, not listened to.
    authorize: async () => ({}),
    receiver,
    ...(process.env.SLACK_API_URL ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } } : {}),
  });
  const workerName = process.env.WORKER_FUNCTION_NAME;
  const dispatch =
    dispatchOverride ??
    (workerName
      ? workerDispatch({ worker: workerName, actions: process.env.ACTIONS_FUNCTION_NAME })
      : async () => {
          throw new Error("WORKER_FUNCTION_NAME is not set");
        });
  // Who may ask (the access: section of ECS_MEDIC_CONFIG; none → nobody): an invalid file fails the cold start, so
  // a typo closes the door rather than opening it.
  const access = loadAccessPolicy(process.env);
  registerListeners(app, { dispatch, clock: systemClock, log, actionKey, access, accessAudit: accessAudit() });
  return receiver.start();
}

/**
 * Refusals go to the table (ECS_MEDIC_TABLE), under access# — the only keys this role may write. The client is built
 * on the first refusal, with the ack path's bounds; without a table they are only logged.
 */
function accessAudit(): AccessAuditLog | undefined {
  const table = process.env.ECS_MEDIC_TABLE;
  if (!table) return undefined;
  let log: Promise<AccessAuditLog> | undefined;
  const open = async (): Promise<AccessAuditLog> => {
    const [{ DynamoDBClient }, { DynamoDBDocumentClient }, { DynamoAccessAuditLog }] = await Promise.all([
      import("@aws-sdk/client-dynamodb"),
      import("@aws-sdk/lib-dynamodb"),
      import("../store/access-audit"),
    ]);
    const client = new DynamoDBClient({
      ...ACK_PATH_SDK_CONFIG,
      requestHandler: { ...ACK_PATH_SDK_CONFIG.requestHandler },
    });
    return new DynamoAccessAuditLog(DynamoDBDocumentClient.from(client), table);
  };
  return {
    append: async (record) => {
      log ??= open().catch((error: unknown) => {
        log = undefined;
        throw error;
      });
      await (await log).append(record);
    },
  };
}

/**
 * What Slack shows when the function cannot start (the signing secret could not be read). Nothing is verified or
 * started, so the fixed text is all an unverified caller learns; a 200 with text beats Slack's opaque
 * "dispatch_failed", and the requester knows to retry. Buttons ignore the body.
 */
const COULD_NOT_START: APIGatewayProxyStructuredResultV2 = {
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    response_type: "ephemeral",
    text: "ecs-medic could not start (its Slack configuration could not be read). Nothing was run; try again in a minute — if it persists, check the slack function's logs.",
  }),
};

/** How far a request's timestamp may be from now, either way (Slack's own advice: five minutes). */
const MAX_CLOCK_SKEW_SECONDS = 300;

function headerOf(event: LambdaFunctionURLEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/**
 * The `slack` function behind a Lambda function URL: verifies Slack's signature (Bolt answers 401 otherwise), parses
 * `/ecs …`, hands diagnoses to the worker and acks — nothing slow on this path, and every network call on it bounded.
 */
export const handler = async (
  event: LambdaFunctionURLEvent,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const starting = (ready ??= init().catch((error: unknown) => {
    ready = undefined; // a failed cold start (SSM hiccup) must not poison the container
    throw error;
  }));
  let receive: ReceiverHandler;
  try {
    receive = await starting;
  } catch (error) {
    log("slack function could not start", {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return COULD_NOT_START;
  }
  // Slack signs the timestamp, and asks that it be within five minutes of now — either way. Bolt refuses only old
  // ones; a far-future timestamp would keep a captured request replayable for as long as it is ahead.
  const stamp = Number(headerOf(event, "x-slack-request-timestamp"));
  if (Number.isFinite(stamp) && Math.abs(Date.now() / 1000 - stamp) > MAX_CLOCK_SKEW_SECONDS) {
    log("request refused: timestamp more than 5 minutes from now", {
      skewSeconds: Math.round(stamp - Date.now() / 1000),
    });
    return { statusCode: 401, body: "" };
  }
  let response: APIGatewayProxyStructuredResultV2;
  try {
    response = await receive(event, context);
  } catch (error) {
    // A body Bolt cannot parse (a payload that is not JSON): a 400, never an unhandled 502 from Lambda.
    log("request could not be read", { error: error instanceof Error ? error.name : "unknown" });
    return { statusCode: 400, headers: { "content-type": "text/plain" }, body: "Bad request: not a Slack payload" };
  }
  // A rotated signing secret makes every request fail verification until the container recycles. When the secret
  // comes from SSM, read it again once (at most once a minute) and retry this request with it.
  if (
    response.statusCode === 401 &&
    !process.env.SLACK_SIGNING_SECRET &&
    Date.now() - lastForcedRead > REREAD_AFTER_401_MS
  ) {
    lastForcedRead = Date.now();
    try {
      const refreshed = init(true);
      const retry = await refreshed;
      ready = refreshed;
      log("signature failed; signing secret re-read from SSM");
      return retry(event, context);
    } catch (error) {
      log("signing secret re-read failed", { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return response;
};
