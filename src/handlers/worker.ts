import type { Context } from "aws-lambda";
import { createDeps, createSlackClients, createStores, jsonLogger, type SlackClients } from "../app/deps";
import { loadPlaybooks, type Playbooks } from "../diagnose/load-playbooks";
import type { BundleFile, Manifest } from "../evidence/bundle";
import { loadBotToken } from "../slack/credentials";
import { WorkerJobSchema } from "../slack/job";
import { runExportJob } from "../slack/run-export";
import { runDiagnoseJob, type JobOutcome, type WorkerDeps } from "../slack/run-job";
import type { AuditLog } from "../store/audit";
import type { IdempotencyStore } from "../store/idempotency";

interface Runtime {
  readonly slack: SlackClients;
  readonly store: IdempotencyStore;
  readonly audit: AuditLog;
  readonly playbooks: Playbooks;
}

/** Built once per container: the Slack clients, the store and the parsed playbooks. */
let ready: Promise<Runtime> | undefined;

/** Test seam: forget the cached runtime (env changed). */
export function resetWorkerForTests(): void {
  ready = undefined;
}

async function init(): Promise<Runtime> {
  const [slack, stores] = await Promise.all([
    loadBotToken().then((token) => createSlackClients(token)),
    createStores(),
  ]);
  return { slack, ...stores, playbooks: loadPlaybooks() };
}

/**
 * The `worker` function, invoked asynchronously by `slack`. Lambda may deliver the same event more than once, so the
 * job id is claimed before anything is posted. A malformed event is logged and dropped (retrying cannot fix it).
 */
export const handler = async (
  event: unknown,
  context?: Pick<Context, "getRemainingTimeInMillis">,
): Promise<JobOutcome> => {
  const parsed = WorkerJobSchema.safeParse(event);
  if (!parsed.success) {
    console.error(JSON.stringify({ message: "malformed job dropped", issues: parsed.error.issues.slice(0, 5) }));
    return { status: "failed", reason: "malformed job" };
  }
  ready ??= init().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  const runtime = await ready;
  const deps: WorkerDeps = {
    ...createDeps({
      store: runtime.store,
      audit: runtime.audit,
      playbooks: () => runtime.playbooks,
      logger: jsonLogger((line) => console.log(line), { jobId: parsed.data.jobId }),
    }),
    slack: runtime.slack,
  };
  // Leave 20 s to post "ran out of time" before Lambda kills the run mid-sentence.
  const timeBudgetMs = context ? Math.max(10_000, context.getRemainingTimeInMillis() - 20_000) : undefined;
  if (parsed.data.kind === "export") {
    const bucket = process.env.ECS_MEDIC_EXPORT_BUCKET;
    return runExportJob(parsed.data, deps, { timeBudgetMs, ...(bucket ? { copyTo: s3Copy(bucket) } : {}) });
  }
  return runDiagnoseJob(parsed.data, deps, { timeBudgetMs });
};

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
