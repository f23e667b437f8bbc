import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { verifyValue } from "../actions/sign";
import { buttonRejectedMessage } from "../render/slack/actions";
import type { Clock } from "../clock";
import { ACTION_IDS } from "./action-ids";
import { notAvailableMessage, usageMessage } from "../render/slack";
import { CommandError, parseSlashCommand } from "./command";
import { clusterName } from "../collect/target-query";
import type { AccessPolicy } from "../config/access-policy";
import type { AccessAuditLog } from "../store/access-audit";
import { checkAccess, type AccessGateDeps } from "./access-gate";
import type { Dispatch } from "./dispatch";
import type { DiagnoseJob, ExportJob, Job } from "./job";
import type { SlackMessage } from "./limits";

export interface ListenerDeps {
  readonly dispatch: Dispatch;
  readonly clock: Clock;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** The HMAC key button values are signed with; without it buttons are refused (nothing runs). */
  readonly actionKey?: string | undefined;
  /** How long a listener waits for a response_url post before giving up on it (default 1.5 s). */
  readonly respondTimeoutMs?: number;
  /** Who may ask what, from where (the access: section; its default refuses everything but help). */
  readonly access: AccessPolicy;
  /** Where refusals are written down (the table, under access#). */
  readonly accessAudit?: AccessAuditLog | undefined;
  /**
   * Members of a user group, where the process has a bot token (the Socket Mode dev server). The Lambda front door
   * has none: a request only a user group could grant goes to the worker, which decides before doing anything.
   */
  readonly members?: ((usergroup: string) => Promise<readonly string[]>) | undefined;
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
  const gate: AccessGateDeps = { policy: deps.access, clock: deps.clock, audit: deps.accessAudit, log };

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
    // Who may ask, where: refused here (ephemeral, with who to ask) before any job starts; the worker checks again.
    const access = await checkAccess(
      gate,
      {
        team: command.team_id,
        channel: command.channel_id,
        channelName: command.channel_name,
        user: command.user_id,
        command: parsed.kind,
        service: parsed.service,
        cluster: parsed.cluster === undefined ? undefined : clusterName(parsed.cluster),
      },
      "slack",
      deps.members,
    );
    if (!access.allowed) {
      await ack({ response_type: "ephemeral", ...access.message });
      return;
    }
    const job: DiagnoseJob | ExportJob = {
      ...(parsed.kind === "evidence"
        ? { kind: "export" as const, via: "slack-command" as const }
        : { kind: "diagnose" as const }),
      jobId: command.trigger_id,
      service: parsed.service,
      cluster: parsed.cluster,
      since: parsed.since,
      channel: command.channel_id,
      channelName: command.channel_name,
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
        text: `I could not start the ${parsed.kind === "evidence" ? "evidence export" : "diagnosis"} of ${parsed.service}: the worker did not accept the job. Try again in a minute; if it persists, check the worker function's logs.`,
      });
      return;
    }
    const where = parsed.cluster ? ` in ${parsed.cluster}` : "";
    if (parsed.kind === "evidence") {
      await ack({
        response_type: "ephemeral",
        text: `:package: Exporting the evidence of *${parsed.service}*${where} over the last ${parsed.since} — the files will appear in a thread in this channel.`,
      });
      return;
    }
    await ack({
      response_type: "ephemeral",
      text: `:stethoscope: Diagnosing *${parsed.service}*${where} over the last ${parsed.since} — the report will appear in this channel in a few seconds.`,
    });
  });

  const reply = async (
    respond: (m: Record<string, unknown>) => Promise<unknown>,
    message: SlackMessage | { readonly text: string },
    id: string,
  ) => {
    const ms = deps.respondTimeoutMs ?? RESPOND_TIMEOUT_MS;
    const { outcome, error } = await boundedPost(
      () => respond({ response_type: "ephemeral", replace_original: false, ...message }),
      ms,
    );
    if (outcome === "timed out") log("respond timed out", { actionId: id, timeoutMs: ms });
    if (outcome === "failed") log("respond failed", { actionId: id, error });
  };

  // Every button: ack at once (Bolt answers Slack when the listener returns), check the value's signature here — a
  // forged one is refused before anything runs — and hand the work to the function that may do it.
  app.action<BlockAction<ButtonAction>>(/^ecs_medic_/, async ({ ack, action, body, respond }) => {
    await ack();
    const id = action.action_id;
    const key = deps.actionKey;
    const json = key ? verifyValue(action.value ?? "", key) : undefined;
    if (!key) {
      await reply(
        respond,
        buttonRejectedMessage("Buttons are not set up here: no signing key (ECS_MEDIC_ACTION_KEY) is configured."),
        id,
      );
      return;
    }
    if (json === undefined) {
      log("forged or altered button value refused", { actionId: id, user: body.user.id, channel: body.channel?.id });
      await reply(respond, buttonRejectedMessage("Refused: this button's value failed its signature check."), id);
      return;
    }
    const channel = body.channel?.id ?? body.container.channel_id ?? "";
    const channelName = body.channel?.name;
    const common = {
      jobId: body.trigger_id,
      channel,
      ...(channelName ? { channelName } : {}),
      user: body.user.id,
      teamId: body.team?.id,
      responseUrl: body.response_url,
      requestedAt: deps.clock().toISOString(),
    };
    let job: Job | undefined;
    if (id === ACTION_IDS.rollback || id === ACTION_IDS.scale) {
      job = {
        kind: "action",
        ...common,
        actionId: id,
        value: action.value ?? "",
        messageTs: body.message?.ts,
        messageBlocks: body.message?.blocks as Record<string, unknown>[] | undefined,
      };
    } else if (id === ACTION_IDS.export) {
      const target = targetOf(json, "export");
      if (!target) {
        await reply(respond, buttonRejectedMessage("Refused: this button's value is not an export target."), id);
        return;
      }
      job = {
        kind: "export",
        via: "slack-button",
        ...common,
        ...target,
        threadTs: body.message?.thread_ts ?? body.message?.ts,
      };
    } else if (id === ACTION_IDS.rerun) {
      const target = targetOf(json);
      if (!target) {
        await reply(respond, buttonRejectedMessage("Refused: this button's value is not a re-run target."), id);
        return;
      }
      job = {
        kind: "diagnose",
        ...common,
        service: target.service,
        cluster: target.cluster,
        since: target.since,
        threadTs: body.message?.thread_ts ?? body.message?.ts,
      };
    }
    if (!job) {
      await reply(respond, notAvailableMessage(ACTION_LABELS[id] ?? "This action"), id);
      return;
    }
    // Buttons that start work are asked about like the commands (rollback and scale have their own allow-list).
    if (job.kind !== "action") {
      const access = await checkAccess(
        gate,
        {
          team: job.teamId,
          channel,
          channelName,
          user: job.user,
          command: job.kind === "export" ? "export" : "rerun",
          service: job.service,
          cluster: job.cluster === undefined ? undefined : clusterName(job.cluster),
        },
        "slack",
        deps.members,
      );
      if (!access.allowed) {
        await reply(respond, access.message, id);
        return;
      }
    }
    try {
      await deps.dispatch(job);
    } catch (error) {
      log("dispatch failed", { actionId: id, error: error instanceof Error ? error.message : String(error) });
      await reply(
        respond,
        buttonRejectedMessage(
          `${ACTION_LABELS[id] ?? "This action"} could not start: the function that runs it did not accept the job. Try again in a minute.`,
        ),
        id,
      );
      return;
    }
    if (id === ACTION_IDS.rerun)
      await reply(respond, { text: ":repeat: Re-running the diagnosis — the report will appear in the thread." }, id);
    if (id === ACTION_IDS.export)
      await reply(respond, { text: ":package: Exporting the evidence — the files will appear in the thread." }, id);
  });
}

/** A re-run or export button's target, read without a schema library (this runs on Slack's 3-second path). */
function targetOf(
  json: string,
  kind: "rerun" | "export" = "rerun",
): { service: string; cluster?: string; region?: string; since: string } | undefined {
  try {
    const v = JSON.parse(json) as Record<string, unknown>;
    const ok = (x: unknown) => typeof x === "string" && /^[A-Za-z0-9_-]{1,255}$/.test(x);
    if (v.kind !== kind || !ok(v.service) || (v.cluster !== undefined && !ok(v.cluster))) return undefined;
    const since = typeof v.since === "string" && /^[0-9a-zA-Z:.+-]{1,40}$/.test(v.since) ? v.since : "1h";
    // An export covers the report's window from its start to now: the ISO start reads the same window later.
    const window = v.window as { since?: unknown } | undefined;
    const exportSince =
      kind === "export" && typeof window?.since === "string" && /^[0-9TZ:.+-]{10,40}$/.test(window.since)
        ? window.since
        : since;
    const region =
      kind === "export" && typeof v.region === "string" && /^[a-z]{2}(?:-[a-z]+)+-\d$/.test(v.region)
        ? { region: v.region }
        : {};
    return {
      service: v.service as string,
      ...(typeof v.cluster === "string" ? { cluster: v.cluster } : {}),
      ...region,
      since: exportSince,
    };
  } catch {
    return undefined;
  }
}
