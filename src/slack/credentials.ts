import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";

type Env = Readonly<Record<string, string | undefined>>;

/** Cached by Powertools for this long, so a warm Lambda does not call SSM on every request. */
const CACHE_SECONDS = 300;

/**
 * AWS SDK bounds for calls on Slack's 3-second path (the SSM read of a cold start, the worker invoke): a stalled
 * connection fails after 500 ms (TCP connect) or 1 s (whole attempt, connect included) instead of the SDK's
 * unbounded default, and is tried twice at most — ≈ 2.2 s worst case, still inside Slack's 3 s.
 * `throwOnRequestTimeout` makes the request timeout an error; without it the SDK only logs a warning.
 */
export const ACK_PATH_SDK_CONFIG = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true },
} as const;

/** Built on first use only: a local run with plain env secrets never constructs an SSM client. */
let provider: SSMProvider | undefined;
function ssm(): SSMProvider {
  provider ??= new SSMProvider({
    clientConfig: { ...ACK_PATH_SDK_CONFIG, requestHandler: { ...ACK_PATH_SDK_CONFIG.requestHandler } },
  });
  return provider;
}

/** Test seam: the SSM client the next read uses, and the bounds it was built with (tests assert them). */
export function ssmProviderForTests(): SSMProvider {
  return ssm();
}
/** Test seam: forget the provider and its cache (env such as AWS_ENDPOINT_URL_SSM changed). */
export function resetCredentialsForTests(): void {
  provider = undefined;
}

/**
 * Slack's signing secret — all the `slack` function needs: it verifies requests and answers through the HTTP response
 * and response_url, never through the Web API, so its role cannot read the bot token. A plain env var for local runs
 * (SLACK_SIGNING_SECRET), else the SSM SecureString named by SLACK_SIGNING_SECRET_PARAM (how serverless.yml deploys).
 */
export async function loadSigningSecret(
  env: Env = process.env,
  options: { forceFetch?: boolean } = {},
): Promise<string> {
  return secret(env, "SLACK_SIGNING_SECRET", options.forceFetch);
}

/** The bot token alone: the worker never needs the signing secret, and its role may not read it. */
export async function loadBotToken(env: Env = process.env): Promise<string> {
  return secret(env, "SLACK_BOT_TOKEN");
}

/**
 * The HMAC key button values are signed with (`src/actions/sign.ts`): ECS_MEDIC_ACTION_KEY for local runs, else the SSM
 * SecureString named by ECS_MEDIC_ACTION_KEY_PARAM. Undefined when neither is configured: buttons are then refused.
 */
export async function loadActionKey(env: Env = process.env): Promise<string | undefined> {
  if (!env.ECS_MEDIC_ACTION_KEY && !env.ECS_MEDIC_ACTION_KEY_PARAM) return undefined;
  return secret(env, "ECS_MEDIC_ACTION_KEY");
}

async function secret(env: Env, name: string, forceFetch = false): Promise<string> {
  const plain = env[name];
  if (plain) return plain;
  const parameter = env[`${name}_PARAM`];
  if (!parameter)
    throw new Error(`${name} is not configured: set ${name} (local runs) or ${name}_PARAM (an SSM SecureString name)`);
  const value = await ssm().get(parameter, { decrypt: true, maxAge: CACHE_SECONDS, forceFetch });
  if (!value) throw new Error(`SSM parameter ${parameter} (${name}) is empty or missing`);
  return value;
}
