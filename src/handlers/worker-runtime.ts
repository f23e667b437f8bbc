import type { Context } from "aws-lambda";
import { createDeps, createSlackClients, createStores, jsonLogger, type SlackClients } from "../app/deps";
import { loadPlaybooks, type Playbooks } from "../diagnose/load-playbooks";
import { loadActionKey, loadBotToken } from "../slack/credentials";
import { tellRequester } from "../slack/respond";
import type { ArchivedStoppedTasksReader } from "../collect/lookups/tasks";
import type { IncidentStore } from "../store/incidents";
import { readArchivedStoppedTasks } from "../store/stopped-tasks";
import type { BundleFile, Manifest } from "../evidence/bundle";
import type { DiagnoseJob, ExportJob } from "../slack/job";
import { runExportJob } from "../slack/run-export";
import { runDiagnoseJob, type JobOutcome, type WorkerDeps } from "../slack/run-job";
import type { AuditLog } from "../store/audit";
import type { IdempotencyStore } from "../store/idempotency";
import { systemClock } from "../clock";
import { loadAccessPolicy } from "../config/access";
import type { AccessPolicy } from "../config/access-policy";
import { accessRequestOf, cachedMembers, checkAccess } from "../slack/access-gate";
import { MemoryAccessAuditLog, type AccessAuditLog } from "../store/access-audit";

export interface Runtime {
  readonly slack: SlackClients;
  readonly store: IdempotencyStore;
  readonly audit: AuditLog;
  readonly incidents?: IncidentStore | undefined;
  readonly playbooks: Playbooks;
  readonly actionKey?: string | undefined;
  /** Who may ask (the access: section), re-checked here: the Slack function cannot read user groups. */
  readonly access: AccessPolicy;
  readonly accessAudit: AccessAuditLog;
  readonly members: (usergroup: string) => Promise<readonly string[]>;
}

/** The Slack clients, the store and the parsed playbooks: built once per container by ./worker. */
export async function init(): Promise<Runtime> {
  const access = loadAccessPolicy(process.env);
  const [slack, stores, actionKey, accessAudit] = await Promise.all([
    loadBotToken().then((token) => createSlackClients(token)),
    createStores(),
    loadActionKey(),
    accessAuditLog(process.env.ECS_MEDIC_TABLE),
  ]);
  return {
    slack,
    ...stores,
    playbooks: loadPlaybooks(),
    actionKey,
    access,
    accessAudit,
    members: cachedMembers(slack.web, systemClock),
  };
}

async function accessAuditLog(table: string | undefined): Promise<AccessAuditLog> {
  if (!table) return new MemoryAccessAuditLog();
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }, { DynamoAccessAuditLog }] = await Promise.all([
    import("@aws-sdk/client-dynamodb"),
    import("@aws-sdk/lib-dynamodb"),
    import("../store/access-audit"),
  ]);
  const client = new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
  });
  return new DynamoAccessAuditLog(DynamoDBDocumentClient.from(client), table);
}

/**
 * One job on a started runtime: the access re-check (with user groups), then the diagnosis or the export. Loaded with
 * the runtime by ./worker (import()), so the handler's import stays small and a cold start parses this while the
 * first SSM reads are in flight.
 */
export async function runJob(
  runtime: Runtime,
  job: DiagnoseJob | ExportJob,
  context?: Pick<Context, "getRemainingTimeInMillis">,
): Promise<JobOutcome> {
  // Asked by a person (not an alarm): check again who may ask what from where, now with the user groups — before
  // any claim, AWS call or post. A refusal reaches only the requester.
  if (job.kind === "export" || !job.incident) {
    const gate = await checkAccess(
      {
        policy: runtime.access,
        clock: systemClock,
        audit: runtime.accessAudit,
        log: (message, detail) => console.log(JSON.stringify({ message, jobId: job.jobId, ...detail })),
        auditTimeoutMs: 3_000,
      },
      accessRequestOf(job),
      "worker",
      runtime.members,
    );
    if (!gate.allowed) {
      if (job.responseUrl) await tellRequester(job.responseUrl, { replace_original: false, ...gate.message });
      return { status: "failed", reason: `access refused: ${gate.reason}` };
    }
  }
  const deps: WorkerDeps = {
    ...createDeps({
      store: runtime.store,
      audit: runtime.audit,
      // Stopped tasks the alarm function archived, so a diagnosis hours later still sees the crash loop.
      ...(runtime.incidents ? { stoppedTaskArchive: archiveReader(runtime.incidents) } : {}),
      playbooks: () => runtime.playbooks,
      logger: jsonLogger((line) => console.log(line), { jobId: job.jobId }),
    }),
    slack: runtime.slack,
    incidents: runtime.incidents,
    actionKey: runtime.actionKey,
  };
  // Leave 20 s to post "ran out of time" before Lambda kills the run mid-sentence.
  const timeBudgetMs = context ? Math.max(10_000, context.getRemainingTimeInMillis() - 20_000) : undefined;
  try {
    if (job.kind === "export") {
      const bucket = process.env.ECS_MEDIC_EXPORT_BUCKET;
      return await runExportJob(job, deps, { timeBudgetMs, ...(bucket ? { copyTo: s3Copy(bucket) } : {}) });
    }
    return await runDiagnoseJob(job, deps, { timeBudgetMs });
  } catch (error) {
    // The runners report their own failures; what escapes them is the job table failing (the claim, the lock) before
    // anything was posted. Found by `npm run chaos`: without this the requester heard nothing. Tell them, then fail
    // so Lambda retries once and a second failure lands in the failed-jobs queue.
    console.error(JSON.stringify({ message: "job failed before posting", jobId: job.jobId, error: errorName(error) }));
    if (job.responseUrl)
      await tellRequester(job.responseUrl, {
        replace_original: false,
        text: `:warning: ecs-medic could not start the ${job.kind === "export" ? "evidence export" : "diagnosis"} of ${job.service} (its job table did not answer). It will retry once; if nothing appears in a minute, ask the platform team to check the worker's logs.`,
      });
    throw error;
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown";
}

function archiveReader(incidents: IncidentStore): ArchivedStoppedTasksReader {
  return (target, window) => readArchivedStoppedTasks(incidents, target.clusterArn, target.service, window);
}

/** The retention copy to ECS_MEDIC_EXPORT_BUCKET (loaded only when one is configured). */
function s3Copy(bucket: string) {
  return async (manifest: Manifest, files: readonly BundleFile[]): Promise<string> => {
    const [{ S3Client }, { putBundle }] = await Promise.all([
      import("@aws-sdk/client-s3"),
      import("../store/export-bucket"),
    ]);
    const s3 = new S3Client({ maxAttempts: 3, followRegionRedirects: true });
    try {
      return `s3://${bucket}/${(await putBundle(s3, bucket, manifest, files)).prefix}`;
    } finally {
      s3.destroy();
    }
  };
}
