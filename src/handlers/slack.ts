import { LambdaClient } from "@aws-sdk/client-lambda";
import { App, AwsLambdaReceiver, LogLevel } from "@slack/bolt";
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from "aws-lambda";
import { systemClock } from "../clock";
import { registerListeners } from "../slack/app";
import { loadSlackCredentials } from "../slack/credentials";
import { lambdaDispatch, type Dispatch } from "../slack/dispatch";

type ReceiverHandler = Awaited<ReturnType<AwsLambdaReceiver["start"]>>;

/** Built once per Lambda container: credentials (cached by Powertools), the Bolt app and its receiver. */
let ready: Promise<ReceiverHandler> | undefined;

/** Test seam: the dispatcher the next cold start uses (default: async invoke of WORKER_FUNCTION_NAME). */
let dispatchOverride: Dispatch | undefined;
export function setDispatchForTests(dispatch: Dispatch | undefined): void {
  dispatchOverride = dispatch;
  ready = undefined;
}

async function init(): Promise<ReceiverHandler> {
  const { signingSecret, botToken } = await loadSlackCredentials();
  const receiver = new AwsLambdaReceiver({ signingSecret, logLevel: LogLevel.WARN });
  const app = new App({
    // A fixed authorization instead of `token`: with `token`, Bolt calls auth.test on start-up or (with
    // tokenVerificationEnabled false) on every request — a Slack round trip on the 3-second ack path. The bot's own
    // user id is only needed to ignore its own message events, and this app listens to commands and buttons only.
    authorize: async () => ({ botToken }),
    receiver,
    ...(process.env.SLACK_API_URL ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } } : {}),
  });
  const workerName = process.env.WORKER_FUNCTION_NAME;
  const dispatch =
    dispatchOverride ??
    (workerName
      ? lambdaDispatch(new LambdaClient({ maxAttempts: 2 }), workerName)
      : async () => {
          throw new Error("WORKER_FUNCTION_NAME is not set");
        });
  registerListeners(app, { dispatch, clock: systemClock, log: (message, detail) => console.log(JSON.stringify({ message, ...detail })) });
  return receiver.start();
}

/**
 * The `slack` function behind a Lambda function URL: verifies Slack's signature (Bolt answers 401 otherwise), parses
 * `/ecs …`, hands diagnoses to the worker and acks — nothing slow on this path.
 */
export const handler = async (event: LambdaFunctionURLEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  ready ??= init().catch((error: unknown) => {
    ready = undefined; // a failed cold start (SSM hiccup) must not poison the container
    throw error;
  });
  const receive = await ready;
  return receive(event, context);
};
