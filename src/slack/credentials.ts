import { getParameter } from "@aws-lambda-powertools/parameters/ssm";

export interface SlackCredentials {
  readonly signingSecret: string;
  readonly botToken: string;
}

/** Cached by Powertools for this long, so a warm Lambda does not call SSM on every request. */
const CACHE_SECONDS = 300;

/**
 * Slack's signing secret and bot token: plain env vars for local runs (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN), else
 * SSM SecureString parameters named by SLACK_SIGNING_SECRET_PARAM / SLACK_BOT_TOKEN_PARAM (how serverless.yml deploys).
 */
export async function loadSlackCredentials(env: Readonly<Record<string, string | undefined>> = process.env): Promise<SlackCredentials> {
  const [signingSecret, botToken] = await Promise.all([
    secret(env, "SLACK_SIGNING_SECRET"),
    secret(env, "SLACK_BOT_TOKEN"),
  ]);
  return { signingSecret, botToken };
}

/** The bot token alone: the worker never needs the signing secret, and its role may not read it. */
export async function loadBotToken(env: Readonly<Record<string, string | undefined>> = process.env): Promise<string> {
  return secret(env, "SLACK_BOT_TOKEN");
}

async function secret(env: Readonly<Record<string, string | undefined>>, name: string): Promise<string> {
  const plain = env[name];
  if (plain) return plain;
  const parameter = env[`${name}_PARAM`];
  if (!parameter) throw new Error(`${name} is not configured: set ${name} (local runs) or ${name}_PARAM (an SSM SecureString name)`);
  const value = await getParameter(parameter, { decrypt: true, maxAge: CACHE_SECONDS });
  if (!value) throw new Error(`SSM parameter ${parameter} (${name}) is empty or missing`);
  return value;
}
