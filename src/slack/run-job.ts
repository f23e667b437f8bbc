import { randomUUID } from "node:crypto";
import type { WebClient } from "@slack/web-api";
import { signValue } from "../actions/sign";
import { incidentPosted, withIncidentHeader } from "../alarms/incident-message";
import type { IncidentStore } from "../store/incidents";
import type { Deps, SlackClients } from "../app/deps";
import { diagnose, type DiagnoseOk, type DiagnoseProgress } from "../app/diagnose";
import { describeFailure, slackErrorCode, type Failure } from "../app/failure";
import { ErrorCode } from "../errors";
import type { CollectionStatus } from "../evidence/schema";
import {
  candidatesMessage,
  diagnosisMessage,
  diagnosisThread,
  errorMessage,
  progressMessage,
  type SlackMessage,
} from "../render/slack";
import { CATALOGUE } from "../steps/catalogue";
import type { DiagnoseJob } from "./job";
import { tellRequester as tellResponseUrl } from "./respond";
import { LatestOnlyThrottle } from "./throttle";

/** The worker's dependencies: the use-case `Deps` with its Slack clients present. */
export type WorkerDeps = Deps & {
  readonly slack: SlackClients;
  /** Incidents opened by alarms (src/store/incidents.ts): the post is recorded there so repeats and OKs find it. */
  readonly incidents?: IncidentStore | undefined;
  /** Signs the report's button values; without it the buttons are refused when pressed. */
  readonly actionKey?: string | undefined;
};

/** Settings of one worker run. */
export interface WorkerOptions {
  /** How long this run may take before it reports a timeout (Lambda's remaining time minus a margin). @default 270 s */
  readonly timeBudgetMs?: number | undefined;
  /** Minimum gap between progress updates (chat.update is Tier 3, ~50/min per workspace). @default 3000 */
  readonly progressIntervalMs?: number | undefined;
  /** A unique id for this run (a retry is another run). @default randomUUID() */
  readonly runId?: string | undefined;
  /**
   * CloudTrail off the critical path: how long step 10 may lag the other steps before the report goes out without
   * it (then `chat.update` of the same message when it ends), and the wait itself (injected by tests).
   * @default 1.5 s, setTimeout
   */
  readonly changes?: { readonly graceMs?: number; readonly sleep?: (ms: number) => Promise<void> } | undefined;
}

export type JobOutcome =
  | { readonly status: "duplicate" }
  /** Another diagnosis of the same service is running in the same channel. */
  | { readonly status: "busy" }
  | { readonly status: "posted"; readonly channel: string; readonly ts: string; readonly verdict?: string }
  | { readonly status: "failed"; readonly reason: string };

/** How long a job id stays known: longer than Lambda's async retry window (6 h). */
const CLAIM_TTL_SECONDS = 24 * 3600;

/**
 * Claims one worker job (diagnose, export) for this run: a lease as long as its time budget plus a margin, so a
 * redelivery while it runs is a duplicate and one after a crash takes over; the id stays known for 24 h.
 */
export function claimRun(deps: WorkerDeps, key: string, budgetMs: number, runId?: string) {
  return deps.store.claim(key, {
    owner: runId ?? randomUUID(),
    leaseSeconds: Math.ceil(budgetMs / 1000) + 60,
    ttlSeconds: CLAIM_TTL_SECONDS,
    now: deps.clock(),
  });
}

/**
 * Runs one `/ecs diagnose` job: claim it (a repeated delivery posts nothing; a delivery after a crashed run resumes
 * its message), post "diagnosing … 0/11" at once, update it as steps finish, then replace it with the report and put
 * the detail in its thread. The diagnosis itself is `app.diagnose`; this function only posts what it returns. Every
 * failure — AWS, Slack, or running out of time — ends as a readable message in the channel; it does not throw.
 */
export async function runDiagnoseJob(
  job: DiagnoseJob,
  deps: WorkerDeps,
  options: WorkerOptions = {},
): Promise<JobOutcome> {
  const log = deps.logger;
  const budgetMs = options.timeBudgetMs ?? 270_000;
  const key = `diagnose#${job.jobId}`;
  const claim = await claimRun(deps, key, budgetMs, options.runId);
  if (!claim.claimed) {
    log.info("duplicate job ignored", { jobId: job.jobId });
    return { status: "duplicate" };
  }

  // One diagnosis of a service per channel at a time: a person who retypes the command while the first is still
  // running (a new trigger id, so not a duplicate) is told where the report will appear instead of getting two.
  // An incident's job (an alarm, no person waiting, no response_url) is never turned away: the incident store already
  // made it one per incident.
  const inflight = `inflight#${job.channel}#${job.cluster ?? ""}#${job.service}`;
  const lockSeconds = Math.ceil(budgetMs / 1000) + 60;
  const lock = job.incident
    ? { claimed: true }
    : await deps.store.claim(inflight, {
        owner: job.jobId,
        leaseSeconds: lockSeconds,
        ttlSeconds: lockSeconds,
        now: deps.clock(),
      });
  if (!lock.claimed) {
    log.info("diagnosis already running for this service in this channel", { jobId: job.jobId, service: job.service });
    await tellRequester(
      job,
      `A diagnosis of ${job.service} is already running in this channel; its report will replace the "diagnosing ${job.service}" message in a moment.`,
    );
    await deps.store.finish(key, deps.clock()).catch(() => undefined);
    return { status: "busy" };
  }
  try {
    return await runClaimed(job, deps, {
      key,
      budgetMs,
      resumeTs: claim.resumeTs,
      intervalMs: options.progressIntervalMs ?? 3000,
      changes: options.changes ?? {},
    });
  } finally {
    if (!job.incident)
      await deps.store
        .release(inflight, deps.clock())
        .catch((error: unknown) => log.warn("could not release the in-flight lock", { reason: slackErrorCode(error) }));
  }
}

interface RunSettings {
  readonly key: string;
  readonly budgetMs: number;
  readonly resumeTs: string | undefined;
  readonly intervalMs: number;
  readonly changes: NonNullable<WorkerOptions["changes"]>;
}

async function runClaimed(job: DiagnoseJob, deps: WorkerDeps, run: RunSettings): Promise<JobOutcome> {
  const log = deps.logger;
  const slack = deps.slack.web;
  const channel = job.channel;
  // An alarm's post carries the incident header (alarm, metric, threshold, since, link) on every version of it.
  const framed = (m: SlackMessage) => withIncidentHeader(m, job.incident);
  const posted = async (ts: string, m: SlackMessage) => {
    if (job.incident && deps.incidents)
      await incidentPosted({ store: deps.incidents, slack, clock: deps.clock }, job.incident, {
        channel,
        ts,
        blocks: m.blocks,
      });
  };
  const starting = framed(
    progressMessage({
      service: job.service,
      cluster: job.cluster,
      done: 0,
      total: CATALOGUE.length,
      finished: [],
      requestedBy: job.user,
    }),
  );
  let ts: string;
  try {
    if (run.resumeTs) {
      ts = run.resumeTs;
      await updateMessage(slack, channel, ts, starting);
    } else {
      ts = await post(slack, channel, starting, job.threadTs);
      await deps.store
        .recordMessage(run.key, ts)
        .catch((error: unknown) => log.warn("could not record the message ts", { reason: slackErrorCode(error) }));
      await posted(ts, starting);
    }
  } catch (error) {
    // Typically not_in_channel / channel_not_found: tell the requester privately instead of failing silently.
    const reason = slackErrorCode(error);
    log.warn("cannot post to channel", { channel, reason });
    await tellRequester(
      job,
      `I could not post in this channel (${reason}). Invite me with /invite @ecs-medic, or run the command in a channel I am in.`,
    );
    await deps.store.finish(run.key, deps.clock()).catch(() => undefined);
    return { status: "failed", reason };
  }

  const update = async (message: SlackMessage) => {
    const m = framed(message);
    await updateMessage(slack, channel, ts, m);
    await posted(ts, m);
  };
  const progress = progressUpdater(
    job,
    (m) => updateMessage(deps.slack.progress ?? slack, channel, ts, framed(m)),
    run.intervalMs,
  );
  let outcome: JobOutcome;
  let thread: SlackMessage[] = [];
  const result = await diagnose(deps, {
    service: job.service,
    cluster: job.cluster,
    since: job.since,
    budgetMs: run.budgetMs,
    onProgress: progress.onProgress,
    // CloudTrail off the critical path: the report goes out without step 10 when it lags, and is updated below.
    deferChanges: run.changes,
  });
  await progress.stop();
  let later: ReturnType<typeof laterReport> | undefined;
  try {
    if (!result.ok) throw result.failure;
    const key = deps.actionKey;
    const options = {
      region: result.evidence.target.region || deps.homeRegion,
      requestedBy: job.user,
      evidence: result.evidence,
      ...(key ? { sign: (json: string) => signValue(json, key) } : {}),
    };
    // Every builder returns a message within Slack's limits; what the report cannot hold is in its thread.
    await update(diagnosisMessage(result.diagnosis, options));
    thread = diagnosisThread(result.diagnosis, result.evidence, options);
    if (result.later) later = laterReport(result.later, options);
    outcome = { status: "posted", channel, ts, verdict: result.diagnosis.verdict };
  } catch (error) {
    const failure = isFailure(error) ? error : describeFailure(error, { subject: job.service, logger: log });
    const message = failureMessage(failure);
    log.warn("job failed", { jobId: job.jobId, code: failure.code, correlationId: failure.correlationId });
    try {
      await update(message);
    } catch (slackFailure) {
      // The channel cannot be updated (rate limits outlasted the retries, a revoked token): the requester still hears.
      log.error("could not report the failure to Slack", { reason: slackErrorCode(slackFailure) });
      await tellRequester(
        job,
        `${message.text} (I could not update the message in this channel: ${slackErrorCode(slackFailure)}.)`,
      );
    }
    outcome = { status: "failed", reason: message.text };
  }
  await deps.store
    .finish(run.key, deps.clock())
    .catch((error: unknown) => log.warn("could not mark the job finished", { reason: slackErrorCode(error) }));

  // The thread is extra detail: one reply failing (rate limit, a rejected block) must not cost the report or the rest.
  for (const reply of thread) {
    try {
      // A re-run's report is itself in the incident thread: its detail goes there too.
      await slack.chat.postMessage({ channel, thread_ts: job.threadTs ?? ts, text: reply.text, blocks: reply.blocks });
    } catch (error) {
      log.warn("thread reply failed", { reason: slackErrorCode(error) });
    }
  }
  // Step 10 arrived after the report ("recent changes: still reading"): the same message, updated in place.
  if (later) {
    const message = await later;
    try {
      await update(message);
    } catch (error) {
      log.warn("could not update the report with the recent changes", { reason: slackErrorCode(error) });
    }
    // The verdict cannot change with step 10 (a change is a suspect, never a failure); the outcome stands.
  }
  return outcome;
}

/** The report once the deferred CloudTrail lookups end (the full result never rejects). */
async function laterReport(
  later: Promise<DiagnoseOk>,
  options: Omit<Parameters<typeof diagnosisMessage>[1], "evidence">,
): Promise<SlackMessage> {
  const full = await later;
  return diagnosisMessage(full.diagnosis, { ...options, evidence: full.evidence });
}

function isFailure(value: unknown): value is Failure {
  return typeof value === "object" && value !== null && "code" in value && "title" in value && "detail" in value;
}

function progressUpdater(job: DiagnoseJob, update: (m: SlackMessage) => Promise<void>, intervalMs: number) {
  const finished: { title: string; status: CollectionStatus }[] = [];
  const titles = new Map<string, string>(CATALOGUE.map((e) => [e.id, e.title]));
  let total: number = CATALOGUE.length;
  const throttle = new LatestOnlyThrottle<SlackMessage>(update, intervalMs);
  return {
    onProgress(event: DiagnoseProgress) {
      if (event.type === "resolving") return;
      if (event.type === "start") {
        total = event.steps.length;
        return;
      }
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

async function updateMessage(slack: WebClient, channel: string, ts: string, message: SlackMessage): Promise<void> {
  await slack.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
}

/** The Slack rendering of a failure (the words come from the one table in app/failure.ts). */
export function failureMessage(failure: Failure): SlackMessage {
  if (failure.code === ErrorCode.TargetAmbiguous && failure.candidates) {
    return candidatesMessage(failure.subject, failure.candidates);
  }
  return errorMessage(failure.title, failure.detail, failure.hint);
}

async function tellRequester(job: DiagnoseJob, text: string): Promise<void> {
  if (job.responseUrl) await tellResponseUrl(job.responseUrl, { replace_original: false, text });
}
