import type { ActionOutcome, PlannedAction, ServiceState } from "../../actions/types";
import { cutPlain, enforceLimits, type KnownBlock, type SlackMessage } from "../../slack/limits";
import { code, context, escapeMrkdwn, mention, section, slackTime } from "./mrkdwn";
import { shortName } from "../../diagnose/template";

// ── what a report and its thread show once a guarded action was pressed ─────────────────────────

const VERB = { rollback: "Rollback", scale: "Emergency scale" } as const;
const ICON = { rollback: ":leftwards_arrow_with_hook:", scale: ":arrow_double_up:" } as const;

const short = (arn: string | undefined) => shortName(arn) ?? "?";

function changeText(a: PlannedAction): string {
  return a.kind === "rollback"
    ? `${code(short(a.expect.taskDefinition))} → ${code(short(a.change.taskDefinition))}`
    : `desired ${a.expect.desiredCount} → ${a.change.desiredCount}`;
}

function stateText(s: ServiceState): string {
  const scaling = s.autoscalingMax !== undefined ? ` · autoscaling max ${s.autoscalingMax}` : "";
  return `${code(short(s.taskDefinition))} · desired ${s.desiredCount}${scaling}`;
}

/**
 * The report with its action buttons replaced by who acted and when ("Rollback started by @alice at 10:42"), so
 * nobody presses a second button on a changed service. Other blocks are kept as Slack sent them.
 */
export function reportAfterAction(
  blocks: readonly Record<string, unknown>[],
  a: PlannedAction,
  user: string,
  atIso: string,
): SlackMessage {
  const line = `${ICON[a.kind]} *${VERB[a.kind]} started* by ${mention(user) ?? "someone"} ${slackTime(atIso)} — ${changeText(a)}. Follow-up in the thread.`;
  const kept = blocks.filter((b) => b.type !== "actions") as unknown as KnownBlock[];
  return enforceLimits({
    text: escapeMrkdwn(`${VERB[a.kind]} of ${a.service} started`),
    blocks: [...kept, context([line], "action-taken")],
  }).message;
}

/** The thread reply for an action's outcome: before → after, notes, and what happens next. */
export function actionThreadMessage(a: PlannedAction, outcome: ActionOutcome, user: string): SlackMessage {
  const who = mention(user) ?? "someone";
  const lines: string[] = [];
  switch (outcome.status) {
    case "done":
      lines.push(`${ICON[a.kind]} *${VERB[a.kind]} of ${escapeMrkdwn(a.service)} started* by ${who}: ${changeText(a)}`);
      lines.push(`before ${stateText(outcome.before)}\nafter  ${stateText(outcome.after)}`);
      for (const n of outcome.notes) lines.push(`• ${escapeMrkdwn(n)}`);
      lines.push(`_I will post here when the deployment completes or fails. Proposal ${code(outcome.proposalId)}._`);
      break;
    case "refused":
    case "stale":
    case "failed":
      lines.push(
        `:no_entry: *${VERB[a.kind]} of ${escapeMrkdwn(a.service)} ${outcome.status === "failed" ? "failed" : "refused"}* (pressed by ${who}): ${escapeMrkdwn(outcome.reason)}. Nothing was changed.`,
      );
      break;
    case "duplicate":
      lines.push(
        `${VERB[a.kind]} ${code(outcome.proposalId)} already ran; pressed again by ${who}, nothing was done twice.`,
      );
      break;
  }
  return enforceLimits({
    text: escapeMrkdwn(`${VERB[a.kind]} of ${a.service}: ${outcome.status}`),
    blocks: [section(cutPlain(lines.join("\n"), 2900), "action-outcome")],
  }).message;
}

/**
 * The private answer to the person who pressed: a refusal (who may act instead), a stale proposal (with a Re-run
 * button for a fresh one), or a double press.
 */
export function actionReplyMessage(
  a: PlannedAction,
  outcome: ActionOutcome,
  rerun?: { readonly value: string; readonly actionId: string },
): SlackMessage {
  const text =
    outcome.status === "stale"
      ? `:warning: Not done: ${escapeMrkdwn(outcome.reason)}. Nothing was changed — re-run the diagnosis for a fresh proposal.`
      : outcome.status === "duplicate"
        ? `This ${VERB[a.kind].toLowerCase()} already ran (or is running) — nothing was done twice.`
        : outcome.status === "done"
          ? `${ICON[a.kind]} ${VERB[a.kind]} of ${escapeMrkdwn(a.service)} started: ${changeText(a)}.`
          : `:no_entry: Not done: ${escapeMrkdwn(outcome.status === "refused" || outcome.status === "failed" ? outcome.reason : "")}. Nothing was changed.`;
  // Who may act is named as real mentions (ids from the config, never from AWS text).
  const shown = outcome.status === "refused" ? withMentions(text) : text;
  const blocks: KnownBlock[] = [section(cutPlain(shown, 2900), "action-reply")];
  if (outcome.status === "stale" && rerun)
    blocks.push({
      type: "actions",
      block_id: "action-reply-rerun",
      elements: [
        {
          type: "button",
          action_id: rerun.actionId,
          text: { type: "plain_text", text: ":repeat: Re-run diagnosis", emoji: true },
          value: rerun.value,
        },
      ],
    });
  return enforceLimits({ text: cutPlain(shown, 3000), blocks }).message;
}

/** Restores escaped user and user-group mentions (`&lt;@U04ALICE&gt;`) so Slack draws them. */
function withMentions(escaped: string): string {
  return escaped.replace(/&lt;(@[UW][A-Z0-9]+|!subteam\^S[A-Z0-9]+)&gt;/g, "<$1>");
}

/** The follow-up once ECS has finished (or not) what the action started. */
export function followUpMessage(
  a: PlannedAction,
  result: { readonly state: "completed" | "failed" | "still running"; readonly detail: string },
): SlackMessage {
  const icon = result.state === "completed" ? ":white_check_mark:" : result.state === "failed" ? ":x:" : ":hourglass:";
  const text = `${icon} ${VERB[a.kind]} of ${escapeMrkdwn(a.service)} ${result.state}: ${escapeMrkdwn(result.detail)}`;
  return enforceLimits({
    text: escapeMrkdwn(`${VERB[a.kind]} ${result.state}`),
    blocks: [section(cutPlain(text, 2900), "follow-up")],
  }).message;
}

/** A button that could not be acted on at all (forged value, no key configured). */
export function buttonRejectedMessage(reason: string): SlackMessage {
  const text = `:no_entry: ${escapeMrkdwn(reason)} Nothing was changed.`;
  return enforceLimits({ text, blocks: [section(text, "button-rejected")] }).message;
}
