import type { WebClient } from "@slack/web-api";
import type { Clock } from "../clock";
import { clip, context, escapeMrkdwn, link, section, slackTime, span } from "../render/slack/mrkdwn";
import type { DiagnoseJob } from "../slack/job";
import { enforceLimits, type KnownBlock, type SlackMessage } from "../slack/limits";
import { mutate, type IncidentInfo, type IncidentRecord, type IncidentStore } from "../store/incidents";

/**
 * The incident post's own parts: the alarm header the worker puts on top of its report, its resolved/reopened
 * variants, the post for an alarm that maps to no service, and the thread replies. Block ids start with
 * `HEADER_BLOCK_PREFIX`, so the header can be swapped in a stored copy of the post without touching the report.
 */

export type IncidentJob = NonNullable<DiagnoseJob["incident"]>;
export const HEADER_BLOCK_PREFIX = "ecs-medic-incident";

/** Blocks of the post kept in the incident item at most (DynamoDB items are ≤ 400 KB; Slack posts are far smaller). */
const MAX_STORED_BLOCKS_CHARS = 120_000;

export interface HeaderStatus {
  readonly state: "open" | "resolved";
  readonly resolvedAt?: string | undefined;
  readonly durationMs?: number | undefined;
  readonly count?: number | undefined;
  readonly reopenCount?: number | undefined;
  readonly members?: readonly string[] | undefined;
}

function fromRecord(record: IncidentRecord): HeaderStatus {
  return {
    state: record.state === "resolved" ? "resolved" : "open",
    resolvedAt: record.resolvedAt,
    durationMs:
      record.resolvedAt && record.openedAt ? Date.parse(record.resolvedAt) - Date.parse(record.openedAt) : undefined,
    count: record.count,
    reopenCount: record.reopenCount,
    members: record.members,
  };
}

/** The alarm named (name, metric, threshold, value, since) with a link, its state, and any grouped services. */
export function incidentHeaderBlocks(incident: IncidentJob, status: HeaderStatus = { state: "open" }): KnownBlock[] {
  const icon = status.state === "resolved" ? ":large_green_circle:" : ":rotating_light:";
  const what = incident.source === "alarm" ? "Alarm" : "ECS event";
  const name = incident.link ? link(incident.link, incident.title) : `*${escapeMrkdwn(incident.title)}*`;
  const state =
    status.state === "resolved"
      ? `*resolved*${status.resolvedAt ? ` at ${slackTime(status.resolvedAt)}` : ""}${
          status.durationMs !== undefined && status.durationMs >= 0
            ? ` after ${span(new Date(0).toISOString(), new Date(status.durationMs).toISOString())}`
            : ""
        }`
      : status.reopenCount
        ? `*firing again* (reopened ×${status.reopenCount})`
        : "*firing*";
  const facts = [
    incident.metric && `metric \`${clip(incident.metric, 120)}\``,
    incident.threshold && `threshold ${escapeMrkdwn(incident.threshold)}`,
    incident.value && `value ${escapeMrkdwn(incident.value)}`,
    `since ${slackTime(incident.since, true)}`,
  ].filter((x): x is string => Boolean(x));
  const members = status.members ?? incident.services ?? [];
  const blocks: KnownBlock[] = [
    section(`${icon} ${what} ${name} ${state}\n${facts.join(" · ")}`, `${HEADER_BLOCK_PREFIX}-head`),
  ];
  const notes = [
    incident.mappedBy && `mapped by ${escapeMrkdwn(clip(incident.mappedBy, 200))}`,
    status.count && status.count > 1 ? `${status.count} notifications` : "",
    incident.reason ? clip(escapeMrkdwn(incident.reason), 300) : "",
  ];
  if (members.length > 0) {
    notes.push(
      `${incident.sharedCause ? `shared cause: ${escapeMrkdwn(incident.sharedCause)} — ` : ""}also affected: ${members
        .slice(0, 20)
        .map((m) => `\`${escapeMrkdwn(m)}\``)
        .join(", ")}${members.length > 20 ? ` and ${members.length - 20} more` : ""}`,
    );
  }
  blocks.push(
    context(
      notes.filter((n): n is string => Boolean(n)),
      `${HEADER_BLOCK_PREFIX}-notes`,
    ),
  );
  return blocks;
}

/** The worker's message with the incident header on top (still within Slack's limits). */
export function withIncidentHeader(
  message: SlackMessage,
  incident: IncidentJob | undefined,
  status?: HeaderStatus,
): SlackMessage {
  if (!incident) return message;
  const header = incidentHeaderBlocks(incident, status);
  return enforceLimits({
    text: `${incident.title}: ${message.text}`,
    blocks: [...header, ...message.blocks.filter((b) => !isHeader(b))],
  }).message;
}

function isHeader(block: KnownBlock): boolean {
  return typeof block.block_id === "string" && block.block_id.startsWith(HEADER_BLOCK_PREFIX);
}

/** An alarm that maps to no service is still posted: the alarm, and why there is no diagnosis. */
export function unmappedIncidentMessage(incident: IncidentJob, why: string): SlackMessage {
  return {
    text: `${incident.title}: alarm not mapped to an ECS service`,
    blocks: [
      ...incidentHeaderBlocks(incident),
      section(
        `:grey_question: No diagnosis: this alarm does not map to an ECS service (${escapeMrkdwn(clip(why, 400))}). Map it with an \`alarms:\` entry in the ECS_MEDIC_CONFIG file or an \`ecs-medic:service = cluster/service\` tag on the alarm.`,
      ),
    ],
  };
}

export function repeatReply(record: IncidentRecord, at: string): SlackMessage {
  return {
    text: `Still firing: ${record.count} notifications so far`,
    blocks: [
      context([
        `:repeat: Still firing at ${slackTime(at)} — ${record.count} notifications in all (a reply here at most every 5 min).`,
      ]),
    ],
  };
}

export function reopenReply(quietMs: number, at: string): SlackMessage {
  const quiet = span(new Date(0).toISOString(), new Date(quietMs).toISOString());
  return {
    text: `Firing again ${quiet} after it resolved`,
    blocks: [
      context([
        `:rotating_light: Firing again at ${slackTime(at)}, ${quiet} after it resolved: reopened this incident (within 30 min it is the same incident flapping; the diagnosis above is still recent — use Re-run for a fresh one).`,
      ]),
    ],
  };
}

export function resolvedReply(durationMs: number, at: string): SlackMessage {
  const took = span(new Date(0).toISOString(), new Date(Math.max(0, durationMs)).toISOString());
  return {
    text: `Resolved after ${took}`,
    blocks: [context([`:large_green_circle: Resolved at ${slackTime(at)} after ${took}.`])],
  };
}

export function memberReply(member: string, info: IncidentInfo, cause: string | undefined): SlackMessage {
  return {
    text: `${member} is failing too`,
    blocks: [
      context([
        `:link: \`${escapeMrkdwn(member)}\` is failing too (${escapeMrkdwn(info.title)})${cause ? ` — grouped here by shared cause: ${escapeMrkdwn(cause)}` : ""}.`,
      ]),
    ],
  };
}

export function warnReply(eventName: string, reason: string | undefined): SlackMessage {
  return {
    text: `ECS warning: ${eventName}`,
    blocks: [
      context([`:warning: ECS ${escapeMrkdwn(eventName)}${reason ? `: ${escapeMrkdwn(clip(reason, 300))}` : ""}`]),
    ],
  };
}

// ── Slack side effects of an incident ───────────────────────────────────────────────────────────

export interface IncidentPostDeps {
  readonly store: IncidentStore;
  readonly slack: WebClient;
  readonly clock: Clock;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}

/**
 * Updates the post's header to the record's state (resolved, reopened, counters, members), keeping the rest of the
 * post as the worker last reported it. Without a stored copy of the post it does nothing (returns false): replacing
 * the post with a bare header would wipe the report; the worker's next `incidentPosted` catches up instead.
 */
export async function syncIncidentPost(deps: IncidentPostDeps, record: IncidentRecord): Promise<boolean> {
  if (!record.ts || !record.channel || !record.info || !record.blocks) return false;
  let blocks: KnownBlock[];
  try {
    blocks = JSON.parse(record.blocks) as KnownBlock[];
  } catch {
    return false;
  }
  const job = jobIncident(record);
  const message = withIncidentHeader({ text: job.title, blocks }, job, fromRecord(record));
  await deps.slack.chat.update({ channel: record.channel, ts: record.ts, text: message.text, blocks: message.blocks });
  return true;
}

export async function replyInThread(deps: IncidentPostDeps, record: IncidentRecord, reply: SlackMessage) {
  if (!record.ts || !record.channel) return false;
  await deps.slack.chat.postMessage({
    channel: record.channel,
    thread_ts: record.ts,
    text: reply.text,
    blocks: reply.blocks,
  });
  return true;
}

/** The job's incident fields from a stored record (the header needs nothing else). */
export function jobIncident(record: IncidentRecord): IncidentJob {
  const info = record.info!;
  return {
    id: `${record.fingerprint}#${record.generation}`,
    fingerprint: record.fingerprint,
    generation: record.generation,
    source: info.source,
    title: info.title,
    alarmName: info.alarmName,
    metric: info.metric,
    threshold: info.threshold,
    value: info.value,
    reason: info.reason,
    since: record.openedAt ?? new Date(0).toISOString(),
    link: info.link,
    mappedBy: info.mappedBy,
    services: record.members ? [...record.members] : undefined,
    sharedCause: record.sharedCause,
  };
}

/**
 * The worker calls this after it posts (or updates) the incident post: records the channel, ts and blocks in the
 * incident, and catches up with what happened while the diagnosis ran — an OK that resolved it (the header turns
 * green), repeats (one thread reply with the count), services grouped into it (listed in the header).
 * Never throws: a failure here must not cost the report.
 */
export async function incidentPosted(
  deps: IncidentPostDeps,
  incident: IncidentJob,
  posted: { readonly channel: string; readonly ts: string; readonly blocks?: readonly KnownBlock[] },
): Promise<void> {
  const log = deps.log ?? (() => undefined);
  try {
    const blocksJson = posted.blocks ? JSON.stringify(posted.blocks.filter((b) => !isHeader(b))) : undefined;
    const { record, catchUp } = await mutate(deps.store, incident.fingerprint, deps.clock(), (prev) => {
      if (!prev || prev.generation !== incident.generation) {
        return { next: undefined, result: { catchUp: { header: false, reply: false } } };
      }
      const sameHeader =
        prev.state === "open" && !prev.reopenCount && (prev.members?.length ?? 0) === (incident.services?.length ?? 0);
      const reply = prev.count > 1 && (prev.repliedCount ?? 1) < prev.count;
      return {
        next: {
          ...prev,
          channel: posted.channel,
          ts: posted.ts,
          ...(blocksJson !== undefined && blocksJson.length <= MAX_STORED_BLOCKS_CHARS ? { blocks: blocksJson } : {}),
          ...(reply ? { repliedCount: prev.count, lastReplyAt: deps.clock().toISOString() } : {}),
        },
        result: { catchUp: { header: !sameHeader, reply } },
      };
    });
    if (!record) return;
    if (catchUp.header) await syncIncidentPost(deps, record);
    if (catchUp.reply) await replyInThread(deps, record, repeatReply(record, record.lastAlarmAt ?? incident.since));
  } catch (error) {
    log("could not record the incident post", { incident: incident.id, error: String(error) });
  }
}
