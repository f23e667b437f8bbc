import type { FilesUploadV2Arguments, WebClient } from "@slack/web-api";
import { zipSync } from "fflate";
import { describeFailure, slackErrorCode } from "../app/failure";
import { exportEvidence, type ExportSource } from "../app/export-evidence";
import type { BundleFile, Manifest } from "../evidence/bundle";
import { exportProgressMessage, exportSummaryMessage } from "../render/slack/export";
import type { SlackMessage } from "./limits";
import type { ExportJob } from "./job";
import { claimRun, failureMessage, type JobOutcome, type WorkerDeps } from "./run-job";

/** Settings of one export run. */
export interface ExportOptions {
  /** @default 270 s */
  readonly timeBudgetMs?: number | undefined;
  readonly runId?: string | undefined;
  /** Above this total the bundle is uploaded as one zip. @default 1 MiB */
  readonly zipAboveBytes?: number | undefined;
  /** Largest single upload; a bigger zip is split into numbered parts. Slack takes up to 1 GB a file. @default 900 MiB */
  readonly maxFileBytes?: number | undefined;
  /**
   * A retention copy (S3, `ECS_MEDIC_EXPORT_BUCKET`): returns where it went. A failed copy is logged and said in the
   * summary; the Slack upload stands.
   */
  readonly copyTo?: ((manifest: Manifest, files: readonly BundleFile[]) => Promise<string>) | undefined;
  /** Optional sources (alarms, the stopped-task archive) when the deployment has them. */
  readonly sources?: readonly ExportSource[] | undefined;
}

/** Slack's files.completeUploadExternal takes at most 10 files a call. */
const FILES_PER_UPLOAD = 10;

/**
 * Runs one export job (`/ecs evidence …` or the Export button): claim it, post "exporting…" in the report's thread
 * (or as a new message), `app.exportEvidence`, upload the files into that thread with files.uploadV2 (zipped when
 * large, split when beyond Slack's per-file limit), then replace the "exporting…" message with what was exported,
 * by whom, and the manifest hash. Every failure ends as a message; it does not throw.
 */
export async function runExportJob(job: ExportJob, deps: WorkerDeps, options: ExportOptions = {}): Promise<JobOutcome> {
  const log = deps.logger;
  const slack = deps.slack.web;
  const budgetMs = options.timeBudgetMs ?? 270_000;
  const key = `export#${job.jobId}`;
  const claim = await claimRun(deps, key, budgetMs, options.runId);
  if (!claim.claimed) {
    log.info("duplicate export job ignored", { jobId: job.jobId });
    return { status: "duplicate" };
  }
  const finish = () =>
    deps.store
      .finish(key, deps.clock())
      .catch((error: unknown) => log.warn("could not mark the job finished", { reason: slackErrorCode(error) }));

  let ts: string;
  try {
    ts = claim.resumeTs ?? (await post(slack, job.channel, exportProgressMessage(job.service, job.user), job.threadTs));
    if (!claim.resumeTs) await deps.store.recordMessage(key, ts).catch(() => undefined);
  } catch (error) {
    const reason = slackErrorCode(error);
    log.warn("cannot post to channel", { channel: job.channel, reason });
    await finish();
    return { status: "failed", reason };
  }
  const thread = job.threadTs ?? ts;
  const update = async (message: SlackMessage) => {
    try {
      await slack.chat.update({ channel: job.channel, ts, text: message.text, blocks: message.blocks });
    } catch (error) {
      log.warn("could not update the export message", { reason: slackErrorCode(error) });
    }
  };

  const result = await exportEvidence(deps, {
    service: job.service,
    cluster: job.cluster,
    scope: job.region ? { region: job.region } : undefined,
    since: job.since,
    budgetMs,
    detection: { via: job.via, who: job.user },
    sources: options.sources,
  });
  if (!result.ok) {
    await update(failureMessage(result.failure));
    await finish();
    return { status: "failed", reason: result.failure.title };
  }

  const uploads = packForSlack(result.files, {
    baseName: `ecs-medic-evidence-${result.evidence.target.service}-${stamp(result.manifest.exportedAt)}`,
    zipAboveBytes: options.zipAboveBytes ?? 1024 * 1024,
    maxFileBytes: options.maxFileBytes ?? 900 * 1024 * 1024,
    mtime: result.manifest.exportedAt,
  });
  try {
    for (let i = 0; i < uploads.length; i += FILES_PER_UPLOAD) {
      const batch = uploads.slice(i, i + FILES_PER_UPLOAD);
      const args: FilesUploadV2Arguments = {
        channel_id: job.channel,
        thread_ts: thread,
        file_uploads: batch.map((f) => ({ file: Buffer.from(f.bytes), filename: f.name, title: f.name })),
      };
      await slack.filesUploadV2(args);
    }
  } catch (error) {
    const failure = describeFailure(error, { subject: job.service, logger: log });
    const reason = slackErrorCode(error);
    log.warn("evidence upload failed", { reason, correlationId: failure.correlationId });
    await update(
      failureMessage({
        ...failure,
        title: `Could not upload the evidence of ${job.service}`,
        detail: `Slack refused the upload (${reason}). Nothing was attached to this thread.`,
        hint: "The app needs the files:write scope and must be in the channel; the CLI's `ecs-medic evidence … --out DIR` writes the same bundle.",
      }),
    );
    await finish();
    return { status: "failed", reason };
  }

  let copy: string | undefined;
  if (options.copyTo) {
    try {
      copy = `also kept at ${await options.copyTo(result.manifest, result.files)}`;
    } catch (error) {
      log.warn("retention copy failed", { reason: slackErrorCode(error) });
      copy = `the retention copy failed (${slackErrorCode(error)})`;
    }
  }
  const t = result.evidence.target;
  await update(
    exportSummaryMessage({
      service: t.service,
      cluster: t.cluster,
      region: t.region,
      window: result.evidence.window,
      verdict: result.diagnosis.verdict,
      requestedBy: job.user,
      files: result.files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
      uploaded: uploads.map((u) => ({ name: u.name, size: u.bytes.byteLength })),
      manifestSha256: result.manifestSha256,
      auditRecords: result.auditRecords,
      copy,
    }),
  );
  await finish();
  log.info("evidence exported", { jobId: job.jobId, files: uploads.length, manifestSha256: result.manifestSha256 });
  return { status: "posted", channel: job.channel, ts, verdict: result.diagnosis.verdict };
}

/**
 * The files as Slack receives them: as they are when small; one zip (all files, manifest included) above
 * `zipAboveBytes`; a zip beyond `maxFileBytes` cut into `NAME.zip.001`, `.002` … (join with `cat`, then unzip).
 * `mtime` fixes the zip entries' time, so the same bundle zips to the same bytes.
 */
export function packForSlack(
  files: readonly BundleFile[],
  opts: { baseName: string; zipAboveBytes: number; maxFileBytes: number; mtime: string },
): BundleFile[] {
  const total = files.reduce((n, f) => n + f.bytes.byteLength, 0);
  if (total <= opts.zipAboveBytes && files.every((f) => f.bytes.byteLength <= opts.maxFileBytes)) return [...files];
  const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, f.bytes])), {
    level: 6,
    mtime: new Date(opts.mtime),
  });
  const name = `${opts.baseName}.zip`;
  if (zip.byteLength <= opts.maxFileBytes) return [{ name, bytes: zip }];
  const parts: BundleFile[] = [];
  const count = Math.ceil(zip.byteLength / opts.maxFileBytes);
  for (let i = 0; i < count; i++)
    parts.push({
      name: `${name}.${String(i + 1).padStart(3, "0")}`,
      bytes: zip.subarray(i * opts.maxFileBytes, (i + 1) * opts.maxFileBytes),
    });
  return parts;
}

function stamp(iso: string): string {
  return iso.slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
}

async function post(slack: WebClient, channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
  const out = await slack.chat.postMessage({
    channel,
    text: message.text,
    blocks: message.blocks,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  if (!out.ts) throw new Error("chat.postMessage returned no ts");
  return out.ts;
}
