import type { WebClient } from "@slack/web-api";
import type { Clock } from "../clock";
import { clusterName, parseTargetQuery } from "../collect/target-query";
import { decideAccess, type AccessCommand, type AccessPolicy, type AccessRequest } from "../config/access-policy";
import { context, escapeMrkdwn, section } from "../render/slack/mrkdwn";
import type { AccessAuditLog } from "../store/access-audit";
import type { DiagnoseJob, ExportJob } from "./job";
import type { SlackMessage } from "./limits";

/** What a refusal needs beyond the decision: where it is written down. */
export interface AccessGateDeps {
  readonly policy: AccessPolicy;
  readonly clock: Clock;
  /** Where refusals are recorded; a failed write is logged, never blocks the answer. */
  readonly audit?: AccessAuditLog | undefined;
  readonly log?: ((message: string, detail?: Record<string, unknown>) => void) | undefined;
  /** How long the audit write may hold the answer (the Slack function answers within 3 s). @default 800 */
  readonly auditTimeoutMs?: number | undefined;
}

export type GateResult =
  | { readonly allowed: true; readonly pending: boolean }
  | { readonly allowed: false; readonly message: SlackMessage; readonly reason: string };

/**
 * The access check of one request: the decision (./config/access-policy), and for a refusal the ephemeral message
 * that says why and who to ask, written to the audit trail first (bounded). `members` is absent in the Slack
 * function (no bot token): a request only user groups could grant passes as pending and the worker decides.
 */
export async function checkAccess(
  deps: AccessGateDeps,
  request: AccessRequest,
  by: "slack" | "worker",
  members?: (usergroup: string) => Promise<readonly string[]>,
): Promise<GateResult> {
  const decision = await decideAccess(deps.policy, request, members);
  if (decision.allowed === true) return { allowed: true, pending: false };
  if (decision.allowed === "pending") return { allowed: true, pending: true };
  const log = deps.log ?? (() => undefined);
  log("access refused", {
    by,
    team: request.team,
    channel: request.channel,
    user: request.user,
    command: request.command,
    reason: decision.reason,
  });
  if (deps.audit) {
    const write = deps.audit.append({
      at: deps.clock().toISOString(),
      team: request.team,
      channel: request.channel,
      user: request.user,
      command: request.command,
      cluster: request.cluster,
      service: request.service,
      reason: decision.reason,
      by,
    });
    const timeoutMs = deps.auditTimeoutMs ?? 800;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      write.then(
        () => "written",
        (error: unknown) => (error instanceof Error ? error.name : "failed"),
      ),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve("timed out"), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    if (outcome !== "written") log("access refusal not audited", { outcome });
  }
  return {
    allowed: false,
    reason: decision.reason,
    message: refusalMessage(decision.reason, decision.hint, decision.contact),
  };
}

/**
 * The ephemeral refusal: what was refused, why, and who to ask. `reason` and `hint` hold only validated names and
 * the admin's own config; the contact is the admin's mrkdwn (a group or channel mention) and is kept as written.
 */
export function refusalMessage(reason: string, hint: string | undefined, contact: string): SlackMessage {
  const text = `:no_entry: ${escapeMrkdwn(reason)} Nothing was run.`;
  return {
    text: escapeMrkdwn(`${reason} Nothing was run. Ask ${plain(contact)} for access.`).slice(0, 3000),
    blocks: [
      section(`${text}${hint ? `\n${hint}` : ""}`.slice(0, 3000), "access-refused"),
      context([`To get access, ask ${contact}.`.slice(0, 2000)], "access-contact"),
    ],
  };
}

/** A mention's readable part for the notification text (`<!subteam^S0X|@platform>` → `@platform`). */
function plain(mrkdwn: string): string {
  return mrkdwn.replace(/<[!#@][^|>]*\|([^>]+)>/g, "$1").replace(/<[^>]*>/g, "the admins");
}

/** The request a worker job stands for (its command from how it was started). */
export function accessRequestOf(job: DiagnoseJob | ExportJob): AccessRequest {
  const command: AccessCommand =
    job.kind === "export"
      ? job.via === "slack-button"
        ? "export"
        : "evidence"
      : job.threadTs !== undefined
        ? "rerun"
        : "diagnose";
  let target: { service: string; cluster?: string | undefined };
  try {
    target = parseTargetQuery({ service: job.service, cluster: job.cluster });
  } catch {
    target = { service: job.service, cluster: job.cluster };
  }
  return {
    team: job.teamId,
    channel: job.channel,
    channelName: job.channelName,
    user: job.user,
    command,
    service: target.service,
    cluster: target.cluster === undefined ? undefined : clusterName(target.cluster),
  };
}

/** How long a user group's members are trusted before asking Slack again. */
const MEMBERS_TTL_MS = 5 * 60_000;

/** Members of a user group through usergroups.users.list (needs `usergroups:read`), cached 5 minutes per process. */
export function cachedMembers(web: WebClient, clock: Clock): (usergroup: string) => Promise<readonly string[]> {
  const cache = new Map<string, { users: readonly string[]; at: number }>();
  return async (usergroup) => {
    const now = clock().getTime();
    const hit = cache.get(usergroup);
    if (hit && now - hit.at < MEMBERS_TTL_MS) return hit.users;
    const out = await web.usergroups.users.list({ usergroup });
    const users = out.users ?? [];
    cache.set(usergroup, { users, at: now });
    return users;
  };
}
