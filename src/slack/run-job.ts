import { randomUUID } from "node:crypto";
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
  errorMessage,
  progressMessage,
  type SlackMessage,
} from "../render/slack";
import type { DiagnoseJob } from "./job";
import { LatestOnlyThrottle } from "./throttle";

export interface WorkerDeps {
  readonly slack: WebClient;
  /**
   * The client for progress updates: one that rejects rate-limited calls instead of pausing its queue, so a 429 on
   * "diagnosing 4/11" never delays the report. @default slack
   */
  readonly progressSlack?: WebClient;
  readonly createClients: (options: ClientOptions) => AwsClients;
  readonly store: IdempotencyStore;
  readonly playbooks: Playbooks;
  readonly clock: Clock;
  /** Region the worker runs in, for console links. */
  readonly region: string;
  /** How long this run may take before it reports a timeout (Lambda's remaining time minus a margin). @default 270 s */
  readonly timeBudgetMs?: number;
  /** Minimum gap between progress updates (chat.update is Tier 3, ~50/min per workspace). @default 3000 */
  readonly progressIntervalMs?: number;
  readonly cloudTrailLimiter?: RateLimiter;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** A unique id for this run (a retry is another run). @default randomUUID() */
  readonly runId?: string;
}

export type JobOutcome =
  | { readonly status: "duplicate" }
  /** Another diagnosis of the same service is running in the same channel. */
  | { readonly status: "busy" }
  | { readonly status: "posted"; readonly channel: string; readonly ts: string; readonly verdict?: string }
  | { readonly status: "failed"; readonly reason: string };

/** How long a job id stays known: longer than Lambda's async retry window (6 h). */
const CLAIM_TTL_SECONDS = 24 * 3600;

class DeadlineError extends Error {
  override readonly name = "DeadlineError";
  constructor(
    readonly budgetMs: number,
    readonly pending: readonly string[],
  ) {
    super(`ran out of time after ${Math.round(budgetMs / 1000)} s`);
  }
}

/**
 * Runs one `/ecs diagnose` job: claim it (a repeated delivery posts nothing; a delivery after a crashed run resumes
 * its message), post "diagnosing … 0/11" at once, update it as steps finish, then replace it with the report and put
 * the detail in its thread. Every failure — AWS, Slack, or running out of time — ends as a readable message in the
 * channel; this function does not throw.
 */
export async function runDiagnoseJob(job: DiagnoseJob, deps: WorkerDeps): Promise<JobOutcome> {
  const log = deps.log ?? (() => undefined);
  const budgetMs = deps.timeBudgetMs ?? 270_000;
  const key = `diagnose#${job.jobId}`;
  const claim = await deps.store.claim(key, {
    owner: deps.runId ?? randomUUID(),
    leaseSeconds: Math.ceil(budgetMs / 1000) + 60,
    ttlSeconds: CLAIM_TTL_SECONDS,
    now: deps.clock(),
  });
  if (!claim.claimed) {
    log("duplicate job ignored", { jobId: job.jobId });
    return { status: "duplicate" };
  }

  // One diagnosis of a service per channel at a time: a person who retypes the command while the first is still
  // running (a new trigger id, so not a duplicate) is told where the report will appear instead of getting two.
  const inflight = `inflight#${job.channel}#${job.cluster ?? ""}#${job.service}`;
  const lock = await deps.store.claim(inflight, {
    owner: job.jobId,
    leaseSeconds: Math.ceil(budgetMs / 1000) + 60,
    ttlSeconds: Math.ceil(budgetMs / 1000) + 60,
    now: deps.clock(),
  });
  if (!lock.claimed) {
    log("diagnosis already running for this service in this channel", { jobId: job.jobId, service: job.service });
    await tellRequester(
      job,
      `A diagnosis of ${job.service} is already running in this channel; its report will replace the "diagnosing ${job.service}" message in a moment.`,
    );
    await deps.store.finish(key, deps.clock()).catch(() => undefined);
    return { status: "busy" };
  }
  try {
    return await runClaimed(job, deps, key, budgetMs, claim.resumeTs, log);
  } finally {
    await deps.store
      .release(inflight, deps.clock())
      .catch((error: unknown) => log("could not release the in-flight lock", { error: String(error) }));
  }
}

async function runClaimed(
  job: DiagnoseJob,
  deps: WorkerDeps,
  key: string,
  budgetMs: number,
  resumeTs: string | undefined,
  log: (message: string, detail?: Record<string, unknown>) => void,
): Promise<JobOutcome> {
  const channel = job.channel;
  const starting = progressMessage({
    service: job.service,
    cluster: job.cluster,
    done: 0,
    total: 11,
    finished: [],
    requestedBy: job.user,
  });
  let ts: string;
  try {
    if (resumeTs) {
      ts = resumeTs;
      await updateMessage(deps.slack, channel, ts, starting);
    } else {
      ts = await post(deps.slack, channel, starting);
      await deps.store
        .recordMessage(key, ts)
        .catch((error: unknown) => log("could not record the message ts", { error: String(error) }));
    }
  } catch (error) {
    // Typically not_in_channel / channel_not_found: tell the requester privately instead of failing silently.
    const reason = slackError(error);
    log("cannot post to channel", { channel, reason });
    await tellRequester(
      job,
      `I could not post in this channel (${reason}). Invite me with /invite @ecs-medic, or run the command in a channel I am in.`,
    );
    await deps.store.finish(key, deps.clock()).catch(() => undefined);
    return { status: "failed", reason };
  }

  const update = (message: SlackMessage) => updateMessage(deps.slack, channel, ts, message);
  const progress = progressUpdater(
    job,
    (m) => updateMessage(deps.progressSlack ?? deps.slack, channel, ts, m),
    deps.progressIntervalMs ?? 3000,
  );
  let outcome: JobOutcome;
  let thread: SlackMessage[] = [];
  try {
    const result = await withDeadline(budgetMs, progress.pending, async () => {
      const window = parseWindow(job.since, deps.clock);
      const clients = deps.createClients({});
      try {
        const resolved = await resolveTarget(clients.ecs, { service: job.service, cluster: job.cluster });
        const evidence = await collectEvidence({
          clients,
          resolved,
          window,
          clock: deps.clock,
          cloudTrailLimiter: deps.cloudTrailLimiter,
          onProgress: progress.onProgress,
        });
        return { evidence, diagnosis: diagnose(evidence, deps.playbooks) };
      } finally {
        for (const client of Object.values(clients)) client.destroy();
      }
    });
    await progress.stop();
    const options = {
      region: result.evidence.target.region || deps.region,
      requestedBy: job.user,
      evidence: result.evidence,
    };
    // Every builder returns a message within Slack's limits; what the report cannot hold is in its thread.
    const message = diagnosisMessage(result.diagnosis, options);
    await update(message);
    thread = diagnosisThread(result.diagnosis, result.evidence, options);
    outcome = { status: "posted", channel, ts, verdict: result.diagnosis.verdict };
  } catch (error) {
    await progress.stop();
    const message = failureMessage(job, error);
    log("job failed", { jobId: job.jobId, error: error instanceof Error ? error.message : String(error) });
    try {
      await update(message);
    } catch (slackFailure) {
      log("could not report the failure to Slack", { reason: slackError(slackFailure) });
    }
    outcome = { status: "failed", reason: message.text };
  }
  await deps.store
    .finish(key, deps.clock())
    .catch((error: unknown) => log("could not mark the job finished", { error: String(error) }));

  // The thread is extra detail: one reply failing (rate limit, a rejected block) must not cost the report or the rest.
  for (const reply of thread) {
    try {
      await deps.slack.chat.postMessage({ channel, thread_ts: ts, text: reply.text, blocks: reply.blocks });
    } catch (error) {
      log("thread reply failed", { reason: slackError(error) });
    }
  }
  return outcome;
}

/** Runs `work` but gives up after `budgetMs`, naming the steps still running; the timer never outlives the work. */
async function withDeadline<T>(budgetMs: number, pending: () => readonly string[], work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(budgetMs, pending())), budgetMs);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function progressUpdater(job: DiagnoseJob, update: (m: SlackMessage) => Promise<void>, intervalMs: number) {
  const finished: { title: string; status: CollectionStatus }[] = [];
  const titles = new Map<string, string>();
  let total = 11;
  const throttle = new LatestOnlyThrottle<SlackMessage>(update, intervalMs);
  const running = new Set<string>();
  return {
    pending: () => [...running].map((id) => titles.get(id) ?? id),
    onProgress(event: ProgressEvent) {
      if (event.type === "start") {
        total = event.steps.length;
        for (const s of event.steps) {
          titles.set(s.id, s.title);
          running.add(s.id);
        }
        return;
      }
      running.delete(event.record.id);
      finished.push({ title: titles.get(event.record.id) ?? event.record.id, status: event.record.status });
      // The last step's update would be overwritten at once by the report: skip it.
      if (event.done < event.total) {
        throttle.push(
          progressMessage({
            service: job.service,
            cluster: job.cluster,
            done: finished.length,
            total,
            finished: [...finished],
            requestedBy: job.user,
          }),
        );
      }
    },
    stop: () => throttle.cancel(),
  };
}

async function post(slack: WebClient, channel: string, message: SlackMessage): Promise<string> {
  const out = await slack.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
  if (!out.ts) throw new Error("chat.postMessage returned no ts");
  return out.ts;
}

async function updateMessage(slack: WebClient, channel: string, ts: string, message: SlackMessage): Promise<void> {
  await slack.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
}

function failureMessage(job: DiagnoseJob, error: unknown): SlackMessage {
  if (error instanceof DeadlineError) {
    const still = error.pending.length > 0 ? ` Still waiting on: ${error.pending.join(", ")}.` : "";
    return errorMessage(
      `Diagnosis of ${job.service} ran out of time`,
      `Collection did not finish within ${Math.round(error.budgetMs / 1000)} s.${still}`,
      "An AWS API is not answering from the worker's network (VPC endpoint, proxy) or is throttling hard. Try again, or run the CLI with --save-evidence to see which step hangs.",
    );
  }
  if (error instanceof TargetAmbiguousError) return candidatesMessage(error.service, error.candidates);
  if (slackPlatformError(error))
    return errorMessage(
      `Slack refused the report for ${job.service}`,
      `Slack answered ${slackError(error)}.`,
      "This is a bug in ecs-medic's message: please report it with the worker's log line.",
    );
  if (error instanceof EcsMedicError) return errorMessage(`Cannot diagnose ${job.service}`, error.message);
  const stepError = toStepError(error, "ecs:DescribeServices");
  return errorMessage(
    `Cannot collect evidence for ${job.service}`,
    `${stepError.code}: ${stepError.message}`,
    stepError.hint,
  );
}

async function tellRequester(job: DiagnoseJob, text: string): Promise<void> {
  if (!job.responseUrl) return;
  try {
    await fetch(job.responseUrl, {
      method: "POST",
      signal: AbortSignal.timeout(5_000),
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text }),
    });
  } catch {
    // Nothing else can be done: the response URL is the last way to reach the person.
  }
}

function slackPlatformError(error: unknown): boolean {
  return typeof (error as { data?: { error?: unknown } } | undefined)?.data?.error === "string";
}

function slackError(error: unknown): string {
  const data = (error as { data?: { error?: string } } | undefined)?.data;
  return data?.error ?? (error instanceof Error ? error.message : String(error));
}
