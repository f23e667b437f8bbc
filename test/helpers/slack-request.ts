/**
 * A Slack request as the slack function's Lambda function URL receives it: Slack's v0 signature and the
 * function-URL event (payload format 2.0) around a form body. Shared by the handler tests and the Slack fault suite.
 */
import { createHmac } from "node:crypto";
import type { LambdaFunctionURLEvent } from "aws-lambda";

/** Slack's request signature: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function slackSignature(body: string, timestamp: number, secret: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** The function-URL event for a POST of `body`; undefined headers are left out; `base64` as Lambda may deliver it. */
export function functionUrlEvent(
  body: string,
  headers: Record<string, string | undefined>,
  now: Date,
  base64 = false,
): LambdaFunctionURLEvent {
  const clean = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: "/",
    rawQueryString: "",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      host: "abc123.lambda-url.us-east-1.on.aws",
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      ...clean,
    },
    requestContext: {
      accountId: "anonymous",
      apiId: "abc123",
      domainName: "abc123.lambda-url.us-east-1.on.aws",
      domainPrefix: "abc123",
      http: { method: "POST", path: "/", protocol: "HTTP/1.1", sourceIp: "3.80.1.1", userAgent: "Slackbot 1.0" },
      requestId: "req-1",
      routeKey: "$default",
      stage: "$default",
      time: "26/Nov/2026:10:00:00 +0000",
      timeEpoch: now.getTime(),
    },
    body: base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: base64,
  };
}
