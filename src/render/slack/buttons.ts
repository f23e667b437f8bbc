import { shortName } from "../../diagnose/template";
import type { ActionProposal, Diagnosis } from "../../diagnose/types";

import { ACTION_IDS } from "../../slack/action-ids";
import { cutPlain } from "../../slack/limits";
import { type Button, type RenderOptions } from "./common";
import { clip, code, escapeMrkdwn, mrkdwn, prose, sinceText } from "./mrkdwn";

// ── the proposed actions and the report's buttons ──────────────────────────────────────────────────────

export function proposalReason(p: ActionProposal): string {
  const icon = p.kind === "rollback" ? ":leftwards_arrow_with_hook:" : ":arrow_double_up:";
  return `${icon} *${prose(p.title)}* — ${prose(clip(p.reason, 200))}`;
}

/** What a rollback or scale handler needs to re-read, compare and act: compact JSON, well under 2000 characters. */
export interface ProposalPayload {
  readonly kind: ActionProposal["kind"];
  readonly cluster: string;
  readonly service: string;
  readonly region: string;
  readonly expect: ActionProposal["expect"];
  readonly change: ActionProposal["change"];
  readonly targetDigests?: ActionProposal["targetDigests"];
}

/** What the export and re-run handlers need. */
export interface TargetPayload {
  readonly kind: "export" | "rerun";
  readonly cluster: string;
  readonly service: string;
  readonly region: string;
  /** The window as `--since` text (re-run) and as ISO times (export). */
  readonly since: string;
  readonly window?: Diagnosis["window"];
}

export function actionButtons(d: Diagnosis, opts: RenderOptions): Button[] {
  const buttons: Button[] = d.proposals.map((p) => proposalButton(p, opts));
  const target = {
    cluster: d.target.cluster,
    service: d.target.service,
    region: opts.region,
    since: sinceText(d.window),
  };
  const exportPayload: TargetPayload = { kind: "export", ...target, window: d.window };
  const rerunPayload: TargetPayload = { kind: "rerun", ...target };
  buttons.push({
    type: "button",
    action_id: ACTION_IDS.export,
    text: { type: "plain_text", text: ":package: Export evidence", emoji: true },
    value: buttonValue(exportPayload, opts),
  });
  buttons.push({
    type: "button",
    action_id: ACTION_IDS.rerun,
    text: { type: "plain_text", text: `:repeat: Re-run (last ${target.since})`, emoji: true },
    value: buttonValue(rerunPayload, opts),
  });
  return buttons;
}

/** The image bytes a rollback restores, as the dialog names them: " (app sha256:9729dd8da33c…)". */
function bytes(p: ActionProposal): string {
  const digests = Object.entries(p.targetDigests ?? {}).map(([name, d]) => `${name} ${d.slice(0, 19)}…`);
  return digests.length > 0 ? ` (${digests.slice(0, 3).join(", ")})` : "";
}

/** A button's value: compact JSON, signed when the caller holds the key. */
function buttonValue(payload: ProposalPayload | TargetPayload, opts: RenderOptions): string {
  const json = JSON.stringify(payload);
  return opts.sign ? opts.sign(json) : json;
}

export function proposalButton(p: ActionProposal, opts: RenderOptions): Button {
  const payload: ProposalPayload = {
    kind: p.kind,
    cluster: p.cluster,
    service: p.service,
    region: opts.region,
    expect: p.expect,
    change: p.change,
    ...(p.targetDigests ? { targetDigests: p.targetDigests } : {}),
  };
  const where = `service ${code(p.service)} in ${code(p.cluster)} (${escapeMrkdwn(opts.region)})`;
  const from = shortName(p.expect.taskDefinition);
  const guard = `Refused if the service has changed since this report${from ? ` (it must still run ${code(from)}` : " (it must still have"}${from ? `, ` : " "}${p.expect.desiredCount} desired).`;
  if (p.kind === "rollback") {
    const to = shortName(p.change.taskDefinition) ?? "the previous revision";
    return {
      type: "button",
      action_id: ACTION_IDS.rollback,
      style: "danger",
      text: { type: "plain_text", text: `Roll back to ${to}`, emoji: true },
      value: buttonValue(payload, opts),
      confirm: {
        title: { type: "plain_text", text: cutPlain(`Roll back ${p.service}?`, 100) },
        text: mrkdwn(
          `Update ${where}: task definition ${from ? `${code(from)} → ` : ""}${code(to)}${bytes(p)}. ${guard}`,
        ),
        confirm: { type: "plain_text", text: "Roll back" },
        deny: { type: "plain_text", text: "Cancel" },
        style: "danger",
      },
    };
  }
  const to = p.change.desiredCount ?? p.expect.desiredCount;
  return {
    type: "button",
    action_id: ACTION_IDS.scale,
    style: "primary",
    text: { type: "plain_text", text: `Scale ${p.expect.desiredCount} → ${to} tasks`, emoji: true },
    value: buttonValue(payload, opts),
    confirm: {
      title: { type: "plain_text", text: cutPlain(`Scale ${p.service} to ${to} tasks?`, 100) },
      text: mrkdwn(`Update ${where}: desired count ${p.expect.desiredCount} → ${to}. ${guard}`),
      confirm: { type: "plain_text", text: cutPlain(`Scale to ${to}`, 30) },
      deny: { type: "plain_text", text: "Cancel" },
    },
  };
}
