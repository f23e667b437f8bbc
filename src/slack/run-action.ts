import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { signValue, verifyValue } from "../actions/sign";
import type { ActionOutcome, PlannedAction } from "../actions/types";
import type { Deps, SlackClients } from "../app/deps";
import { executeAction } from "../app/execute-action";
import { slackErrorCode } from "../app/failure";
import { destroyClients } from "../aws/release";
import { authorise, type ActionsPolicy } from "../config/actions";
import {
  actionReplyMessage,
  actionThreadMessage,
  buttonRejectedMessage,
  followUpMessage,
  reportAfterAction,
} from "../render/slack/actions";
import { ACTION_IDS } from "./action-ids";
import { ProposalValueSchema, type ActionJob } from "./job";
import type { SlackMessage } from "./limits";
import { tellRequester } from "./respond";

/** What the `actions` function needs beyond the use-case Deps. */
export interface ActionRunnerDeps extends Deps {
  readonly slack: SlackClients;
  /** The HMAC key button values are signed with. */
  readonly actionKey: string;
  readonly policy: ActionsPolicy;
  /** Members of a Slack user group (usergroups.users.list, cached by the caller). */
  readonly members: (usergroup: string) => Promise<readonly string[]>;
  /** Waits between follow-up polls; injected so tests do not sleep. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Follow-up polling: every `intervalMs`, at most `polls` times. @default 15 s × 16 (4 min) */
  readonly followUp?: { readonly intervalMs: number; readonly polls: number } | undefined;
}

export type ActionJobOutcome = { readonly status: ActionOutcome["status"] | "rejected"; readonly reason?: string };

/**
 * Runs one rollback / emergency-scale click: verify the button's signature and shape → authorise the person (config
 * allow-list, user groups) → `app.executeAction` (claim once, re-read, refuse if stale, check, change, audit) → tell
 * the person, mark the report with who acted, say it in the thread → follow the deployment to its end (bounded) and
 * say how it ended. Never throws.
 */
export async function runActionJob(job: ActionJob, deps: ActionRunnerDeps): Promise<ActionJobOutcome> {
  const log = deps.logger;
  const json = verifyValue(job.value, deps.actionKey);
  const parsed = json === undefined ? undefined : ProposalValueSchema.safeParse(safeJson(json));
  const kindOfButton = job.actionId === ACTION_IDS.rollback ? "rollback" : "scale";
  if (!parsed?.success || parsed.data.kind !== kindOfButton) {
    const claimed = ProposalValueSchema.partial().safeParse(safeJson(job.value.slice(0, job.value.lastIndexOf("."))));
    const reason = "this button's value failed its signature check (it was not written by ecs-medic, or was altered)";
    log.error("forged or malformed button value refused", { user: job.user, channel: job.channel, jobId: job.jobId });
    await deps.audit
      .append({
        at: deps.clock().toISOString(),
        proposalId: "unverified",
        kind: kindOfButton,
        region: (claimed.success && claimed.data.region) || "unknown",
        cluster: (claimed.success && claimed.data.cluster) || "unknown",
        service: (claimed.success && claimed.data.service) || "unknown",
        actor: { id: job.user, via: "slack", teamId: job.teamId },
        outcome: "refused",
        reason,
        expect: { desiredCount: 0 },
        change: {},
      })
      .catch(() => log.error("audit write failed for a refused forged value", { user: job.user }));
    await reply(job, buttonRejectedMessage(`Refused: ${reason}.`));
    return { status: "rejected", reason };
  }
  const value = parsed.data;
  const action: PlannedAction = {
    ...value,
    title: value.kind === "rollback" ? `Roll back ${value.service}` : `Scale ${value.service}`,
    reason: "pressed in Slack",
  };
  const authorisation = await authorise(deps.policy, value, job.user, deps.members);
  const outcome = await executeAction(deps, {
    action,
    actor: { id: job.user, via: "slack", teamId: job.teamId },
    authorisation,
  });
  log.info("action finished", { jobId: job.jobId, status: outcome.status, proposalId: outcome.proposalId });

  // A stale proposal comes with a Re-run button for a fresh one (signed like every button).
  const rerunJson = JSON.stringify({
    kind: "rerun",
    cluster: value.cluster,
    service: value.service,
    region: value.region,
    since: "1h",
  });
  const rerun = { value: signValue(rerunJson, deps.actionKey), actionId: ACTION_IDS.rerun };
  await reply(job, actionReplyMessage(action, outcome, rerun));
  if (outcome.status === "done") {
    if (job.messageTs && job.messageBlocks) {
      await update(deps, job, reportAfterAction(job.messageBlocks, action, job.user, deps.clock().toISOString()));
    }
    await thread(deps, job, actionThreadMessage(action, outcome, job.user));
    await thread(deps, job, followUpMessage(action, await follow(deps, action)));
  } else if (authorisation.allowed && outcome.status !== "duplicate") {
    // A refusal on safety grounds, a stale proposal or a failure is news for everyone in the incident thread.
    await thread(deps, job, actionThreadMessage(action, outcome, job.user));
  }
  return { status: outcome.status, ...("reason" in outcome ? { reason: outcome.reason } : {}) };
}

/**
 * Polls the service until what the action started has finished: a rollback's PRIMARY deployment COMPLETED or FAILED,
 * a scale-out's running count reaching the new desired count. Bounded; "still running" after the last poll.
 */
async function follow(
  deps: ActionRunnerDeps,
  action: PlannedAction,
): Promise<{ state: "completed" | "failed" | "still running"; detail: string }> {
  const { intervalMs, polls } = deps.followUp ?? { intervalMs: 15_000, polls: 16 };
  const clients = await deps.aws({ region: action.region });
  try {
    let last = "no answer from DescribeServices yet";
    for (let i = 0; i < polls; i++) {
      await deps.sleep(intervalMs);
      let svc;
      try {
        const out = await clients.ecs.send(
          new DescribeServicesCommand({ cluster: action.cluster, services: [action.service] }),
        );
        svc = out.services?.[0];
      } catch (error) {
        last = `DescribeServices failed (${slackErrorCode(error)})`;
        continue;
      }
      if (!svc) return { state: "failed", detail: `${action.service} is no longer listed in ${action.cluster}` };
      const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
      const running = `${svc.runningCount ?? 0}/${svc.desiredCount ?? 0} running`;
      if (action.kind === "rollback") {
        const td = primary?.taskDefinition?.split("/").pop() ?? "?";
        if (primary?.rolloutState === "COMPLETED") return { state: "completed", detail: `${running} on ${td}` };
        if (primary?.rolloutState === "FAILED")
          return { state: "failed", detail: `${primary.rolloutStateReason ?? "the rollout failed"} (${running})` };
        last = `${running} on ${td}, rollout ${primary?.rolloutState ?? "unknown"}`;
      } else {
        if ((svc.runningCount ?? 0) >= (action.change.desiredCount ?? Infinity))
          return { state: "completed", detail: running };
        last = running;
      }
    }
    return {
      state: "still running",
      detail: `${last} after ${Math.round((intervalMs * polls) / 1000)} s — watch the service events`,
    };
  } finally {
    destroyClients(clients);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The private answer to whoever pressed, through response_url (no token needed; never throws). */
async function reply(job: ActionJob, message: SlackMessage): Promise<void> {
  if (job.responseUrl) await tellRequester(job.responseUrl, { ...message, replace_original: false });
}

async function update(deps: ActionRunnerDeps, job: ActionJob, message: SlackMessage): Promise<void> {
  try {
    await deps.slack.web.chat.update({
      channel: job.channel,
      ts: job.messageTs!,
      text: message.text,
      blocks: message.blocks,
    });
  } catch (error) {
    deps.logger.warn("could not mark the report", { reason: slackErrorCode(error) });
  }
}

async function thread(deps: ActionRunnerDeps, job: ActionJob, message: SlackMessage): Promise<void> {
  try {
    await deps.slack.web.chat.postMessage({
      channel: job.channel,
      ...(job.messageTs ? { thread_ts: job.messageTs } : {}),
      text: message.text,
      blocks: message.blocks,
    });
  } catch (error) {
    deps.logger.warn("could not post in the thread", { reason: slackErrorCode(error) });
  }
}

/** How long a user group's members are trusted before asking Slack again. */
const MEMBERS_TTL_MS = 5 * 60_000;

/**
 * The action runner's extra dependencies, built from the environment: the allow-list (`ECS_MEDIC_CONFIG`), user-group
 * members through usergroups.users.list (cached 5 minutes; needs the `usergroups:read` scope), real sleeps.
 */
export function actionRunnerDeps(
  deps: Deps & { readonly slack: SlackClients },
  options: { readonly actionKey: string; readonly policy: ActionsPolicy },
): ActionRunnerDeps {
  const cache = new Map<string, { users: readonly string[]; at: number }>();
  return {
    ...deps,
    actionKey: options.actionKey,
    policy: options.policy,
    members: async (usergroup) => {
      const now = deps.clock().getTime();
      const hit = cache.get(usergroup);
      if (hit && now - hit.at < MEMBERS_TTL_MS) return hit.users;
      const out = await deps.slack.web.usergroups.users.list({ usergroup });
      const users = out.users ?? [];
      cache.set(usergroup, { users, at: now });
      return users;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
