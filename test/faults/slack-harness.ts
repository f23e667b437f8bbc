/**
 * Builders for the Slack fault suite: Lambda function-URL events as Slack sends them (slash commands and
 * block_actions), signed with Slack's v0 scheme (HMAC-SHA256 of `v0:{timestamp}:{body}`), and the planted secrets
 * no output may ever contain.
 */
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { functionUrlEvent, slackSignature } from "../helpers/slack-request";

export const NOW = new Date("2026-11-26T10:00:00Z");
export const TEAM = "T0001";
export const INCIDENT_CHANNEL = "C0INCIDENT";

/** Secret-like values planted where the code can reach them; none may appear in a response, a post, a job or a log. */
export const PLANTED = {
  signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
  botToken: "xoxb-000000000000-0000000000000-PLANTEDbotTOKENnotREAL",
  actionKey: "planted-action-key-0123456789abcdef0123",
  awsSecret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY",
  awsSession: "IQoJb3JpZ2luX2VjEPLANTEDsessionTOKEN",
} as const;

export function sign(body: string, timestamp: number, secret: string = PLANTED.signingSecret): string {
  return slackSignature(body, timestamp, secret);
}

export function urlEvent(body: string, headers: Record<string, string | undefined>): LambdaFunctionURLEvent {
  return functionUrlEvent(body, headers, NOW);
}

export const nowSeconds = () => Math.floor(NOW.getTime() / 1000);

/** A correctly signed event (timestamp `at`, default now). */
export function signed(body: string, extra: Record<string, string | undefined> = {}, at = nowSeconds()) {
  return urlEvent(body, { "x-slack-request-timestamp": String(at), "x-slack-signature": sign(body, at), ...extra });
}

let triggers = 0;
/** A fresh trigger id, as Slack gives every command and click its own. */
export const trigger = () => `13345224609.738474920.${(++triggers).toString(16).padStart(8, "0")}`;

export function commandBody(text: string, responseUrl: string, overrides: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: "legacy-verification-token-unused",
    team_id: TEAM,
    team_domain: "acme",
    channel_id: INCIDENT_CHANNEL,
    channel_name: "inc-payment-api",
    user_id: "U0ONCALL",
    user_name: "oncall",
    command: "/ecs",
    text,
    api_app_id: "A0ECSMEDIC",
    is_enterprise_install: "false",
    response_url: responseUrl,
    trigger_id: trigger(),
    ...overrides,
  }).toString();
}

export function buttonBody(
  actionId: string,
  value: string,
  responseUrl: string,
  overrides: { channel?: string; user?: string; trigger?: string } = {},
): string {
  const channel = overrides.channel ?? INCIDENT_CHANNEL;
  const payload = {
    type: "block_actions",
    team: { id: TEAM, domain: "acme" },
    user: { id: overrides.user ?? "U0ONCALL", username: "oncall", team_id: TEAM },
    api_app_id: "A0ECSMEDIC",
    token: "legacy",
    container: { type: "message", message_ts: "1764151200.000001", channel_id: channel, is_ephemeral: false },
    trigger_id: overrides.trigger ?? trigger(),
    channel: { id: channel, name: channel === INCIDENT_CHANNEL ? "inc-payment-api" : "random" },
    message: { ts: "1764151200.000001", type: "message", text: "report", blocks: [{ type: "actions", elements: [] }] },
    response_url: responseUrl,
    actions: [
      {
        action_id: actionId,
        block_id: "actions",
        text: { type: "plain_text", text: "button" },
        value,
        type: "button",
        action_ts: "1764151201.000",
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Every planted secret found in `text`, by name. */
export function leakedSecrets(text: string): string[] {
  return Object.entries(PLANTED)
    .filter(([, secret]) => text.includes(secret))
    .map(([name]) => name);
}
