import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { WebClient } from "@slack/web-api";
import type { Context } from "aws-lambda";
import { createClients } from "../aws/clients";
import { systemClock } from "../clock";
import { loadPlaybooks, type Playbooks } from "../diagnose/load-playbooks";
import { loadBotToken } from "../slack/credentials";
import { DiagnoseJobSchema } from "../slack/job";
import { runDiagnoseJob, type JobOutcome } from "../slack/run-job";
import { DynamoIdempotencyStore, MemoryIdempotencyStore, type IdempotencyStore } from "../store/idempotency";

interface Runtime {
  readonly slack: WebClient;
  readonly progressSlack: WebClient;
  readonly store: IdempotencyStore;
  readonly playbooks: Playbooks;
}

/** Built once per container: the Slack client, the idempotency store and the parsed playbooks. */
let ready: Promise<Runtime> | undefined;

/** Test seam: forget the cached runtime (env changed). */
export function resetWorkerForTests(): void {
  ready = undefined;
}

async function init(): Promise<Runtime> {
  const botToken = await loadBotToken();
  const base = {
    ...(process.env.SLACK_API_URL ? { slackApiUrl: process.env.SLACK_API_URL } : {}),
    // A Web API call that hangs must not eat the run's time budget.
    timeout: 10_000,
  };
  const slack = new WebClient(botToken, {
    ...base,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3000 },
  });
  // Progress updates are disposable: on a 429 drop the update rather than pause the queue the report shares.
  const progressSlack = new WebClient(botToken, { ...base, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
  const table = process.env.ECS_MEDIC_TABLE;
  // Without a table (local runs) duplicates are caught within this process only.
  const store = table
    ? new DynamoIdempotencyStore(
        DynamoDBDocumentClient.from(
          new DynamoDBClient({
            maxAttempts: 3,
            requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
          }),
        ),
        table,
      )
    : new MemoryIdempotencyStore();
  return { slack, progressSlack, store, playbooks: loadPlaybooks() };
}

/**
 * The `worker` function, invoked asynchronously by `slack`. Lambda may deliver the same event more than once, so the
 * job id is claimed before anything is posted. A malformed event is logged and dropped (retrying cannot fix it).
 */
export const handler = async (
  event: unknown,
  context?: Pick<Context, "getRemainingTimeInMillis">,
): Promise<JobOutcome> => {
  const parsed = DiagnoseJobSchema.safeParse(event);
  if (!parsed.success) {
    console.error(JSON.stringify({ message: "malformed job dropped", issues: parsed.error.issues.slice(0, 5) }));
    return { status: "failed", reason: "malformed job" };
  }
  ready ??= init().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  const runtime = await ready;
  return runDiagnoseJob(parsed.data, {
    ...runtime,
    createClients: (options) => createClients(options),
    clock: systemClock,
    region: process.env.AWS_REGION ?? "us-east-1",
    // Leave 20 s to post "ran out of time" before Lambda kills the run mid-sentence.
    timeBudgetMs: context ? Math.max(10_000, context.getRemainingTimeInMillis() - 20_000) : undefined,
    log: (message, detail) => console.log(JSON.stringify({ message, jobId: parsed.data.jobId, ...detail })),
  });
};
