import type { WebClient } from "@slack/web-api";
import type { AwsClients, ClientOptions } from "../aws/clients";
import { systemClock, type Clock } from "../clock";
import { createRateLimiter, type RateLimiter } from "../collect/rate-limiter";
import type { ArchivedStoppedTasksReader } from "../collect/lookups/tasks";
import type { CollectLimits } from "../collect/step";
import { loadPlaybooks, type Playbooks } from "../diagnose/load-playbooks";
import { MemoryAuditLog, type AuditLog } from "../store/audit";
import type { IncidentStore } from "../store/incidents";
import { MemoryIdempotencyStore, type IdempotencyStore } from "../store/idempotency";
import { silentLogger, type Logger } from "./logger";

export { jsonLogger, silentLogger, type Logger } from "./logger";

/** Which account/region a set of clients reads. Unset fields fall back to the SDK's own chain. */
export type AwsScope = Pick<ClientOptions, "region" | "profile">;

/** The Slack Web API clients of a run that posts to Slack. */
export interface SlackClients {
  /** Reports, thread replies, errors: retried on 429 and 5xx. */
  readonly web: WebClient;
  /**
   * Progress updates: a client that rejects rate-limited calls instead of pausing its queue, so a 429 on
   * "diagnosing 4/11" never delays the report.
   * @default web
   */
  readonly progress?: WebClient;
}

/**
 * Everything a use case needs from the outside world, passed in one object. Only `createDeps` (and tests, with
 * fakes) builds one; nothing under `src/app/` constructs a client itself.
 */
export interface Deps {
  /** The only source of "now". */
  readonly clock: Clock;
  readonly logger: Logger;
  /** Built-in playbooks plus overrides; a function so a loading error is reported by the use case, before any AWS call. */
  readonly playbooks: () => Playbooks;
  /**
   * Opens the AWS clients for one scope; the use case destroys them when it is done. May resolve later: the default
   * loads the SDK clients on first use, so a process that never calls AWS never loads them.
   */
  readonly aws: (scope: AwsScope) => AwsClients | Promise<AwsClients>;
  /**
   * Spaces CloudTrail LookupEvents (a burst of 2, then 2 requests/s per account and region), shared by every
   * diagnosis of a process.
   */
  readonly cloudTrailLimiter: RateLimiter;
  /** Overrides of the collection bounds (`DEFAULT_LIMITS`). */
  readonly limits: Partial<CollectLimits>;
  /** Claims and locks: a job or an action runs once. */
  readonly store: IdempotencyStore;
  /** The audit trail of guarded actions. */
  readonly audit: AuditLog;
  /** Present where the use case posts to Slack (worker, Socket Mode dev server). */
  readonly slack?: SlackClients | undefined;
  /** The region ecs-medic runs in, for console links when a target names none. */
  readonly homeRegion: string;
  /**
   * Stopped tasks kept past ECS's one-hour purge (the alarm function archives STOPPED events in the table); step 3
   * merges them with ListTasks. Absent: ListTasks only (the CLI without a table).
   */
  readonly stoppedTaskArchive?: ArchivedStoppedTasksReader | undefined;
}

export interface DepsOptions {
  /** Environment the defaults read (`ECS_MEDIC_PLAYBOOKS`, `AWS_REGION`, `AWS_DEFAULT_REGION`). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** Extra playbook folders after the built-in ones and `ECS_MEDIC_PLAYBOOKS` (colon-separated). @default [] */
  readonly playbookFolders?: readonly string[];
  /** @default loadPlaybooks (memoised) with the folders above */
  readonly playbooks?: () => Playbooks;
  /** @default createClients (loaded on first use; each client built on first use) with the SDK's standard retries (3 attempts) and bounded timeouts */
  readonly aws?: (scope: AwsScope) => AwsClients | Promise<AwsClients>;
  /** @default a burst of 2, then 2 requests/s on the real timer */
  readonly cloudTrailLimiter?: RateLimiter;
  /** @default DEFAULT_LIMITS, with `logGroupPrefixes` from ECS_MEDIC_LOG_GROUP_PREFIXES (comma-separated) when set */
  readonly limits?: Partial<CollectLimits>;
  /** @default an in-memory store (duplicates caught within this process only) */
  readonly store?: IdempotencyStore;
  /** @default an in-memory log (the CLI prints each outcome; the table keeps them when ECS_MEDIC_TABLE is set) */
  readonly audit?: AuditLog;
  /** @default none */
  readonly slack?: SlackClients;
  /** @default AWS_REGION, then AWS_DEFAULT_REGION, then "us-east-1" */
  readonly homeRegion?: string;
  /** @default none (ListTasks only) */
  readonly stoppedTaskArchive?: ArchivedStoppedTasksReader;
}

/** CloudTrail allows 2 LookupEvents requests per second per account and region. */
const CLOUDTRAIL_INTERVAL_MS = 500;
const CLOUDTRAIL_BURST = 2;

/** The one place the defaults are decided. */
export function createDeps(options: DepsOptions = {}): Deps {
  const env = options.env ?? process.env;
  const folders = [...(env.ECS_MEDIC_PLAYBOOKS ?? "").split(":").filter(Boolean), ...(options.playbookFolders ?? [])];
  return {
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    playbooks: options.playbooks ?? memoise(() => loadPlaybooks({ overrides: folders })),
    aws: options.aws ?? (async (scope) => (await import("../aws/clients")).createClients(scope)),
    cloudTrailLimiter:
      options.cloudTrailLimiter ?? createRateLimiter({ intervalMs: CLOUDTRAIL_INTERVAL_MS, burst: CLOUDTRAIL_BURST }),
    limits: options.limits ?? logPrefixLimits(env.ECS_MEDIC_LOG_GROUP_PREFIXES),
    store: options.store ?? new MemoryIdempotencyStore(),
    audit: options.audit ?? new MemoryAuditLog(),
    slack: options.slack,
    homeRegion: options.homeRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    stoppedTaskArchive: options.stoppedTaskArchive,
  };
}

/** The log-group prefixes the deployment allows (the worker's role is generated from the same setting). */
function logPrefixLimits(text: string | undefined): Partial<CollectLimits> {
  const prefixes = (text ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  return prefixes.length > 0 ? { logGroupPrefixes: prefixes } : {};
}

/** A function that runs once on success; a throw is not cached (the next call tries again). */
export function memoise<T>(load: () => T): () => T {
  let done: { value: T } | undefined;
  return () => {
    done ??= { value: load() };
    return done.value;
  };
}

type WebApi = typeof import("@slack/web-api");

/**
 * `import("@slack/web-api")` (a CommonJS package) as Node gives it: its named exports. A bundle split by esbuild
 * (dist/, what the Lambda functions run) gives only `default`, the package's module.exports: without this the built
 * worker could not build a client at all.
 */
function webApi(loaded: WebApi): WebApi {
  if (typeof loaded.WebClient === "function") return loaded;
  return (loaded as WebApi & { default: WebApi }).default;
}

/**
 * The Slack clients of a process that posts: one for reports (retries on 429/5xx) and one for progress that drops a
 * rate-limited update rather than pause the queue the report shares. `SLACK_API_URL` points both at a stand-in.
 */
export async function createSlackClients(
  botToken: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<SlackClients> {
  const { WebClient } = webApi(await import("@slack/web-api"));
  const base = {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    // A Web API call that hangs must not eat the run's time budget.
    timeout: 10_000,
  };
  return {
    web: new WebClient(botToken, {
      ...base,
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3000 },
    }),
    progress: new WebClient(botToken, { ...base, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } }),
  };
}

/**
 * The claims store and the audit log: the DynamoDB table `ECS_MEDIC_TABLE` names (bounded retries and timeouts, so a
 * slow table cannot eat a run's budget), or in-memory ones when none is set (duplicates caught within the process).
 */
export async function createStores(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<{ store: IdempotencyStore; audit: AuditLog; incidents?: IncidentStore }> {
  const table = env.ECS_MEDIC_TABLE;
  if (!table) return { store: new MemoryIdempotencyStore(), audit: new MemoryAuditLog() };
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }, { DynamoIdempotencyStore }, { DynamoAuditLog }, incidents] =
    await Promise.all([
      import("@aws-sdk/client-dynamodb"),
      import("@aws-sdk/lib-dynamodb"),
      import("../store/idempotency"),
      import("../store/audit"),
      import("../store/incidents"),
    ]);
  const client = new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
  });
  const doc = DynamoDBDocumentClient.from(client);
  return {
    store: new DynamoIdempotencyStore(doc, table),
    audit: new DynamoAuditLog(doc, table),
    incidents: new incidents.DynamoIncidentStore(doc, table),
  };
}
