import type { App } from "@slack/bolt";
import type { Clock } from "../clock";
import { ACTION_IDS } from "./action-ids";
import { notAvailableMessage, usageMessage } from "../render/slack";
import { CommandError, parseSlashCommand } from "./command";
import type { Dispatch } from "./dispatch";
import type { DiagnoseJob } from "./job";

export interface ListenerDeps {
  readonly dispatch: Dispatch;
  readonly clock: Clock;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** How long a listener waits for a response_url post before giving up on it (default 1.5 s). */
  readonly respondTimeoutMs?: number;
}

/** A response_url post must never hold the Lambda's answer to Slack (3 s) hostage: this is its share. */
export const RESPOND_TIMEOUT_MS = 1500;

/**
 * Runs `post` (a response_url call) for at most `ms`: resolves "sent", "timed out" (the post is abandoned, the timer
 * cleared either way) or "failed" (the post threw — an expired response_url, say). Never throws: a lost courtesy
 * message must not turn an already-acked request into a 500.
 */
export async function boundedPost(
  post: () => Promise<unknown>,
  ms: number,
): Promise<{ outcome: "sent" | "timed out" | "failed"; error?: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), ms);
  });
  try {
    const outcome = await Promise.race([post().then(() => "sent" as const), timeout]);
    return { outcome };
  } catch (error) {
    return { outcome: "failed", error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

const ACTION_LABELS: Record<string, string> = {
  [ACTION_IDS.rollback]: "Roll back",
  [ACTION_IDS.scale]: "Emergency scale",
  [ACTION_IDS.export]: "Export evidence",
  [ACTION_IDS.rerun]: "Re-run",
};

/**
 * The Slack listeners, shared by the Lambda function and the Socket Mode dev server. A listener only parses,
 * dispatches and acks: Bolt's Lambda receiver answers Slack when the listener returns, so anything slow here would
 * break Slack's 3-second rule. The diagnosis itself runs in the worker.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const log = deps.log ?? (() => undefined);

  app.command("/ecs", async ({ command, ack, context }) => {
    // Slack retries a command it thinks timed out; the first delivery already started the job.
    if (context.retryNum !== undefined) {
      log("slack retry dropped", { retryNum: context.retryNum, reason: context.retryReason });
      await ack();
      return;
    }
    let parsed;
    try {
      parsed = parseSlashCommand(command.text, deps.clock);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      await ack({ response_type: "ephemeral", ...usageMessage(error.message) });
      return;
    }
    if (parsed.kind === "help") {
      await ack({ response_type: "ephemeral", ...usageMessage() });
      return;
    }
    const job: DiagnoseJob = {
      kind: "diagnose",
      jobId: command.trigger_id,
      service: parsed.service,
      cluster: parsed.cluster,
      since: parsed.since,
      channel: command.channel_id,
      user: command.user_id,
      teamId: command.team_id,
      responseUrl: command.response_url,
      requestedAt: deps.clock().toISOString(),
    };
    try {
      await deps.dispatch(job);
    } catch (error) {
      log("dispatch failed", { error: error instanceof Error ? error.message : String(error) });
      await ack({
        response_type: "ephemeral",
        text: `I could not start the diagnosis of ${parsed.service}: the worker did not accept the job. Try again in a minute; if it persists, check the worker function's logs.`,
      });
      return;
    }
    const where = parsed.cluster ? ` in ${parsed.cluster}` : "";
    await ack({
      response_type: "ephemeral",
      text: `:stethoscope: Diagnosing *${parsed.service}*${where} over the last ${parsed.since} — the report will appear in this channel in a few seconds.`,
    });
  });

  // The buttons' actions have not landed yet: say so, privately. Bolt answers Slack only when this listener returns, so
  // the response_url post is bounded (a slow Slack endpoint costs ≤ 1.5 s, then the message is given up and logged).
  app.action(/^ecs_medic_/, async ({ ack, action, respond }) => {
    await ack();
    const id = "action_id" in action ? action.action_id : "";
    const message = {
      response_type: "ephemeral" as const,
      replace_original: false,
      ...notAvailableMessage(ACTION_LABELS[id] ?? "This action"),
    };
    const ms = deps.respondTimeoutMs ?? RESPOND_TIMEOUT_MS;
    const { outcome, error } = await boundedPost(() => respond(message), ms);
    if (outcome === "timed out") log("respond timed out", { actionId: id, timeoutMs: ms });
    if (outcome === "failed") log("respond failed", { actionId: id, error });
  });
}
