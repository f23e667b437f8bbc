/**
 * What the `alarm` handler tests share: a stand-in for the worker that does exactly what the worker's incident
 * wiring does (post the incident header on its message, then `incidentPosted`), and a deterministic shuffle.
 */
import { WebClient } from "@slack/web-api";
import { incidentPosted, withIncidentHeader } from "../../src/alarms/incident-message";
import type { Clock } from "../../src/clock";
import type { DiagnoseJob, Job } from "../../src/slack/job";
import type { IncidentStore } from "../../src/store/incidents";
import { ebAlarmStateChange, snsAlarmMessage, snsEvent } from "../fixtures/events";

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

export { seeded } from "./random";

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The alarm storm of the alarm tests and `npm run bench`: 10 deliveries per service — the ALARM three times, its SNS
 * twin twice, a repeat, the OK twice, the SNS OK and INSUFFICIENT_DATA.
 */
export function stormDeliveries(services: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const [i, service] of services.entries()) {
    const alarmName = `${service}-5xx`;
    const dimensions = { ClusterName: "prod", ServiceName: service };
    const alarmAt = `2026-11-26T10:0${i % 10}:00.000+0000`;
    const okAt = "2026-11-26T10:25:00.000+0000";
    const sns = (state: "ALARM" | "OK", at: string) =>
      snsAlarmMessage({
        alarmName,
        state,
        at,
        dimensions: [
          { name: "ClusterName", value: "prod" },
          { name: "ServiceName", value: service },
        ],
      });
    const alarm = ebAlarmStateChange({ id: `alarm-${service}`, alarmName, at: alarmAt, dimensions });
    const snsAlarm = snsEvent(sns("ALARM", alarmAt), `sns-alarm-${service}`);
    const repeat = ebAlarmStateChange({
      id: `repeat-${service}`,
      alarmName,
      at: "2026-11-26T10:12:00.000+0000",
      dimensions,
    });
    const ok = ebAlarmStateChange({ id: `ok-${service}`, alarmName, state: "OK", at: okAt, dimensions });
    const snsOk = snsEvent(sns("OK", okAt), `sns-ok-${service}`);
    const insufficient = ebAlarmStateChange({
      id: `insufficient-${service}`,
      alarmName,
      state: "INSUFFICIENT_DATA",
      dimensions,
    });
    out.push(alarm, alarm, alarm, snsAlarm, snsAlarm, repeat, ok, ok, snsOk, insufficient);
  }
  return out;
}
