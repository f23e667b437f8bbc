import type { WebClient } from "@slack/web-api";
import type { AwsClients, ClientOptions } from "../aws/clients";
import { toStepError } from "../aws/step-error";
import type { Clock } from "../clock";
import { collectEvidence, type ProgressEvent } from "../collect/collect-evidence";
import type { RateLimiter } from "../collect/rate-limiter";
import { resolveTarget } from "../collect/resolve-target";
import { diagnose } from "../diagnose/diagnose";
import type { Playbooks } from "../diagnose/load-playbooks";
import { EcsMedicError, TargetAmbiguousError } from "../errors";
import type { CollectionStatus } from "../evidence/schema";
import type { IdempotencyStore } from "../store/idempotency";
import { parseWindow } from "../time-window";
import {
  candidatesMessage,
  diagnosisMessage,
  diagnosisThread,
  enforceLimits,
  errorMessage,
  progressMessage,
  type SlackMessage,
} from "./blocks";
import type { DiagnoseJob } from "./job";
import { LatestOnlyThrottle } from "./throttle";

export interface WorkerDeps {
  readonly slack: WebClient;
  readonly createClients: (options: ClientOptions) => AwsClients;
  readonly store: IdempotencyStore;
  readonly playbooks: Playbooks;
  readonly clock: Clock;
  /** Region the worker runs in, for console links. */
  readonly region: string;
  /** Minimum gap between progress updates. @default 1500 */
  readonly progressIntervalMs?: number;
  readonly cloudTrailLimiter?: RateLimiter;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}

export type JobOutcome =
  | { readonly status: "duplicate" }
  | { readonly status: "posted"; readonly channel: string; readonly ts: string; readonly verdict?: string }
  | { readonly status: "failed"; readonly reason: string };

/** How long a job id stays claimed: longer than Lambda's async retry window (6 h). */
const CLAIM_SECONDS = 24 * 3600;

/**
 * Runs one `/ecs diagnose` job: claim it (a repeated delivery posts nothing), post "diagnosing … 0/11" at once, update
 * it as steps finish, then replace it with the report and put the detail in its thread. Every failure ends as a
 * readable message in the channel; this function does not throw.
 */
export async function runDiagnoseJob(job: DiagnoseJob, deps: WorkerDeps): Promise<JobOutcome> {
  const log = deps.log ?? (() => undefined);
  if (!(await deps.store.claim(`diagnose#${job.jobId}`, CLAIM_SECONDS, deps.clock()))) {
    log("duplicate job ignored", { jobId: job.jobId });
    return { status: "duplicate" };
  }

  const channel = job.channel;
  let ts: string;
  try {
    const first = await post(deps.slack, channel, progressMessage({ service: job.service, cluster: job.cluster, done: 0, total: 11, finished: [], requestedBy: job.user }));
    ts = first;
  } catch (error) {
    // Typically not_in_channel / channel_not_found: tell the requester privately instead of failing silently.
    const reason = slackError(error);
    log("cannot post to channel", { channel, reason });
    await tellRequester(job, `I could not post in this channel (${reason}). Invite me with /invite @ecs-medic, or run the command in a channel I am in.`);
    return { status: "failed", reason };
  }

  const update = (message: SlackMessage) => updateMessage(deps.slack, channel, ts, message);
  try {
    const window = parseWindow(job.since, deps.clock);
    const clients = deps.createClients({});
    try {
      const resolved = await resolveTarget(clients.ecs, { service: job.service, cluster: job.cluster });
      const progress = progressUpdater(job, update, deps.progressIntervalMs ?? 1500);
      const evidence = await collectEvidence({
        clients,
        resolved,
        window,
        clock: deps.clock,
        cloudTrailLimiter: deps.cloudTrailLimiter,
        onProgress: progress.onProgress,
      });
      await progress.stop();
      const diagnosis = diagnose(evidence, deps.playbooks);
      const options = { region: evidence.target.region || deps.region, requestedBy: job.user, evidence };
      const { message, overflow } = enforceLimits(diagnosisMessage(diagnosis, options));
      await update(message);
      for (const reply of [...diagnosisThread(diagnosis, evidence, options), ...overflow.map(overflowMessage)]) {
        await deps.slack.chat.postMessage({ channel, thread_ts: ts, text: reply.text, blocks: enforceLimits(reply).message.blocks });
      }
      return { status: "posted", channel, ts, verdict: diagnosis.verdict };
    } finally {
      for (const client of Object.values(clients)) client.destroy();
    }
  } catch (error) {
    const message = failureMessage(job, error);
    log("job failed", { jobId: job.jobId, error: error instanceof Error ? error.message : String(error) });
    try {
      await update(message);
    } catch (slackFailure) {
      log("could not report the failure to Slack", { reason: slackError(slackFailure) });
    }
    return { status: "failed", reason: message.text };
  }
}

function progressUpdater(job: DiagnoseJob, update: (m: SlackMessage) => Promise<void>, intervalMs: number) {
  const finished: { title: string; status: CollectionStatus }[] = [];
  const titles = new Map<string, string>();
  let total = 11;
  const throttle = new LatestOnlyThrottle<SlackMessage>(update, intervalMs);
  return {
    onProgress(event: ProgressEvent) {
      if (event.type === "start") {
        total = event.steps.length;
        for (const s of event.steps) titles.set(s.id, s.title);
        return;
      }
      finished.push({ title: titles.get(event.record.id) ?? event.record.id, status: event.record.status });
      // The last step's update would be overwritten at once by the report: skip it.
      if (event.done < event.total) {
        throttle.push(progressMessage({ service: job.service, cluster: job.cluster, done: finished.length, total, finished: [...finished], requestedBy: job.user }));
      }
    },
    stop: () => throttle.cancel(),
  };
}

async function post(slack: WebClient, channel: string, message: SlackMessage): Promise<string> {
  const out = await slack.chat.postMessage({ channel, text: message.text, blocks: enforceLimits(message).message.blocks });
  if (!out.ts) throw new Error("chat.postMessage returned no ts");
  return out.ts;
}

async function updateMessage(slack: WebClient, channel: string, ts: string, message: SlackMessage): Promise<void> {
  await slack.chat.update({ channel, ts, text: message.text, blocks: enforceLimits(message).message.blocks });
}

function failureMessage(job: DiagnoseJob, error: unknown): SlackMessage {
  if (error instanceof TargetAmbiguousError) return candidatesMessage(error.service, error.candidates);
  if (error instanceof EcsMedicError) return errorMessage(`Cannot diagnose ${job.service}`, error.message);
  const stepError = toStepError(error, "ecs:DescribeServices");
  return errorMessage(`Cannot collect evidence for ${job.service}`, `${stepError.code}: ${stepError.message}`, stepError.hint);
}

/** Content cut from the report, posted in its thread (already within Slack's section limit). */
function overflowMessage(text: string): SlackMessage {
  return { text: text.slice(0, 3000), blocks: [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, 3000) } }] };
}

async function tellRequester(job: DiagnoseJob, text: string): Promise<void> {
  if (!job.responseUrl) return;
  try {
    await fetch(job.responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text }),
    });
  } catch {
    // Nothing else can be done: the response URL is the last way to reach the person.
  }
}

function slackError(error: unknown): string {
  const data = (error as { data?: { error?: string } } | undefined)?.data;
  return data?.error ?? (error instanceof Error ? error.message : String(error));
}
