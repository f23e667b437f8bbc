/**
 * What the `alarm` handler tests share: a stand-in for the worker that does exactly what the worker's incident
 * wiring does (post the incident header on its message, then `incidentPosted`), and a deterministic shuffle.
 */
import { WebClient } from "@slack/web-api";
import { incidentPosted, withIncidentHeader } from "../../src/alarms/incident-message";
import type { Clock } from "../../src/clock";
import type { DiagnoseJob, Job } from "../../src/slack/job";
import type { IncidentStore } from "../../src/store/incidents";

export interface FakeWorker {
  readonly jobs: DiagnoseJob[];
  /** The dispatcher to give the handler: records the job and "runs" it in the background. */
  dispatch(job: Job): Promise<void>;
  /** Waits for every job run so far. */
  settle(): Promise<void>;
}

/**
 * The worker's part, as it will be wired: post the progress message with the incident header, report the post with
 * `incidentPosted`, update it with the report (header kept), report again.
 */
export function fakeWorker(options: { slackUrl: string; store: IncidentStore; clock: Clock }): FakeWorker {
  const slack = new WebClient("xoxb-test", { slackApiUrl: options.slackUrl, retryConfig: { retries: 0 } });
  const jobs: DiagnoseJob[] = [];
  const running: Promise<void>[] = [];
  const deps = { store: options.store, slack, clock: options.clock };
  return {
    jobs,
    async dispatch(job) {
      if (job.kind !== "diagnose") throw new Error(`the alarm handler dispatched a ${job.kind} job`);
      jobs.push(job);
      running.push(
        (async () => {
          await new Promise((r) => setImmediate(r));
          const progress = withIncidentHeader(
            { text: `diagnosing ${job.service}`, blocks: [{ type: "section", text: { type: "mrkdwn", text: "…" } }] },
            job.incident,
          );
          const out = await slack.chat.postMessage({
            channel: job.channel,
            text: progress.text,
            blocks: progress.blocks,
          });
          if (job.incident) await incidentPosted(deps, job.incident, { channel: job.channel, ts: out.ts! });
          const report = withIncidentHeader(
            { text: "report", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Verdict:* failing" } }] },
            job.incident,
          );
          await slack.chat.update({ channel: job.channel, ts: out.ts!, text: report.text, blocks: report.blocks });
          if (job.incident)
            await incidentPosted(deps, job.incident, { channel: job.channel, ts: out.ts!, blocks: report.blocks });
        })(),
      );
    },
    async settle() {
      for (let seen = 0; seen < running.length; seen = running.length) await Promise.all(running);
    },
  };
}

/** Mulberry32: a seeded PRNG, so a "random" delivery order is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
