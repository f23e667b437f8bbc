import { routeChannel } from "../config/routing";

import type { DiagnoseJob } from "../slack/job";

import { applySignal, DEFAULT_POLICY, mutate, type IncidentInfo, type IncidentRecord } from "../store/incidents";
import { readArchivedStoppedTasks } from "../store/stopped-tasks";
import {
  incidentPosted,
  jobIncident,
  memberReply,
  reopenReply,
  repeatReply,
  replyInThread,
  resolvedReply,
  syncIncidentPost,
  unmappedIncidentMessage,
  type IncidentPostDeps,
} from "./incident-message";

import { causeKeysOfTasks, STORM_LOOKBACK_MS, STORM_WINDOW_MS, type CauseKey } from "./storm";
import { DELIVERY_TTL_SECONDS, type AlarmDeps, type SignalOutcome } from "./handle";

/** What a signal does to its incident, carried out: the compare-and-swap, then the posts, thread replies, storm grouping and diagnose jobs it calls for. */

// ── effects ──────────────────────────────────────────────────────────────────────────────────────

export interface Applied {
  readonly state: "ALARM" | "OK";
  readonly at: string;
  readonly info: IncidentInfo;
  readonly tags: Readonly<Record<string, string>>;
  readonly unmappedWhy?: string | undefined;
  readonly extraServices: readonly string[];
  readonly causes: readonly CauseKey[];
}

export function postDeps(deps: AlarmDeps): IncidentPostDeps {
  return { store: deps.incidents, slack: deps.slack, clock: deps.clock, log: deps.log };
}

export async function applyAndAct(
  deps: AlarmDeps,
  delivery: string,
  fingerprint: string,
  a: Applied,
): Promise<SignalOutcome> {
  const log = deps.log ?? (() => undefined);
  const now = deps.clock().toISOString();
  const { effect, record } = await applySignal(
    deps.incidents,
    fingerprint,
    { state: a.state, at: a.at, info: a.info, now },
    deps.policy ?? DEFAULT_POLICY,
  );
  const done = (action?: string): SignalOutcome => ({
    delivery,
    status: "applied",
    effect: effect.kind,
    fingerprint,
    ...(action ? { action } : {}),
  });
  log("incident signal", { fingerprint, state: a.state, at: a.at, effect });
  if (!record) return done();
  const post = postDeps(deps);

  switch (effect.kind) {
    case "ignore":
      return done();
    case "open":
      return done(await onOpen(deps, record, a));
    case "repeat": {
      if (record.groupedInto) return done("grouped member: counted");
      if (effect.reply) await replyInThread(post, record, repeatReply(record, a.at));
      if (effect.redispatch) {
        await dispatchJob(deps, record, record.channel);
        return done("re-dispatched (the first hand-over never completed)");
      }
      return done(effect.reply ? "thread reply" : "counted");
    }
    case "resolve": {
      if (record.groupedInto) {
        const primary = await deps.incidents.get(record.groupedInto);
        if (primary) {
          const reply = resolvedReply(effect.durationMs, a.at);
          await replyInThread(post, primary, { ...reply, text: `${a.info.service ?? a.info.title}: ${reply.text}` });
        }
        return done("grouped member resolved");
      }
      const updated = await syncIncidentPost(post, record);
      await replyInThread(post, record, resolvedReply(effect.durationMs, a.at));
      return done(updated ? "post updated: resolved" : "resolved before the post existed (the worker updates it)");
    }
    case "reopen": {
      if (record.groupedInto) return done("grouped member reopened");
      await syncIncidentPost(post, record);
      await replyInThread(post, record, reopenReply(effect.quietMs, a.at));
      return done("reopened");
    }
  }
}

/** A new incident generation: group it into a storm, post it (unmapped), or hand the diagnosis to the worker. */
async function onOpen(deps: AlarmDeps, record: IncidentRecord, a: Applied): Promise<string> {
  const log = deps.log ?? (() => undefined);
  const info = a.info;
  const route = routeChannel(deps.config, { cluster: info.cluster, service: info.service, tags: a.tags }, deps.env);
  if (!route) {
    log("no channel for this incident: set ECS_MEDIC_DEFAULT_CHANNEL or a route in ECS_MEDIC_CONFIG", {
      fingerprint: record.fingerprint,
    });
    return "no channel";
  }

  // Storm: the first incident claiming a shared cause is its primary; later ones are grouped into it.
  const causes = [...a.causes, ...(await causesFromArchive(deps, info))];
  const since = new Date(deps.clock().getTime() - STORM_WINDOW_MS).toISOString();
  for (const cause of causes) {
    const holder = await deps.incidents.claimStorm(
      cause.key,
      record.fingerprint,
      deps.clock().toISOString(),
      since,
      Math.floor(deps.clock().getTime() / 1000) + DELIVERY_TTL_SECONDS,
    );
    if (holder !== record.fingerprint) {
      const grouped = await groupInto(deps, record, holder, cause);
      if (grouped) return `grouped into ${holder} (${cause.label})`;
    }
  }

  const withChannel = await mutate(deps.incidents, record.fingerprint, deps.clock(), (prev) =>
    prev && prev.generation === record.generation && !prev.channel
      ? {
          next: {
            ...prev,
            channel: route.channel,
            ...(a.extraServices.length > 0
              ? { members: [...new Set([...(prev.members ?? []), ...a.extraServices])] }
              : {}),
          },
          result: {},
        }
      : { next: undefined, result: {} },
  );
  const current = withChannel.record ?? record;

  if (a.unmappedWhy !== undefined) {
    const message = unmappedIncidentMessage(jobIncident(current), a.unmappedWhy);
    const out = await deps.slack.chat.postMessage({
      channel: route.channel,
      text: message.text,
      blocks: message.blocks,
    });
    if (out.ts) {
      await incidentPosted(postDeps(deps), jobIncident(current), {
        channel: route.channel,
        ts: out.ts,
        blocks: message.blocks,
      });
    }
    return `posted unmapped alarm to ${route.channel} (${route.why})`;
  }
  await dispatchJob(deps, current, route.channel);
  return `diagnosis handed to the worker for ${route.channel} (${route.why})`;
}

async function causesFromArchive(deps: AlarmDeps, info: IncidentInfo): Promise<CauseKey[]> {
  if (!info.account || !info.region || !info.cluster || !info.service) return [];
  const clusterArn = `arn:aws:ecs:${info.region}:${info.account}:cluster/${info.cluster}`;
  const until = deps.clock();
  const tasks = await readArchivedStoppedTasks(deps.incidents, clusterArn, info.service, {
    since: new Date(until.getTime() - STORM_LOOKBACK_MS).toISOString(),
    until: until.toISOString(),
  }).catch((error: unknown) => {
    deps.log?.("archive not readable for storm grouping", { error: String(error) });
    return [];
  });
  return causeKeysOfTasks(info.account, info.region, tasks);
}

/** Marks `record` as a member of `primary` and tells the primary's thread. False when the primary is gone. */
async function groupInto(deps: AlarmDeps, record: IncidentRecord, primary: string, cause: CauseKey): Promise<boolean> {
  const member = `${record.info?.cluster ?? "-"}/${record.info?.service ?? "-"}`;
  const updated = await mutate(deps.incidents, primary, deps.clock(), (prev) =>
    prev && prev.state === "open"
      ? {
          next: {
            ...prev,
            members: [...new Set([...(prev.members ?? []), member])],
            sharedCause: prev.sharedCause ?? cause.label,
          },
          result: { ok: true },
        }
      : { next: undefined, result: { ok: false } },
  );
  if (!updated.ok || !updated.record) return false;
  await mutate(deps.incidents, record.fingerprint, deps.clock(), (prev) =>
    prev && prev.generation === record.generation
      ? { next: { ...prev, groupedInto: primary, sharedCause: cause.label }, result: {} }
      : { next: undefined, result: {} },
  );
  const post = postDeps(deps);
  if (updated.record.ts) {
    await syncIncidentPost(post, updated.record);
    await replyInThread(post, updated.record, memberReply(member, record.info!, cause.label));
  }
  return true;
}

function sinceFor(openedAt: string | undefined, now: Date): string {
  const ageH = openedAt ? (now.getTime() - Date.parse(openedAt)) / 3_600_000 : 0;
  return `${Math.min(24, Math.max(1, Math.ceil(ageH + 1)))}h`;
}

async function dispatchJob(deps: AlarmDeps, record: IncidentRecord, channel: string | undefined): Promise<void> {
  if (!channel || !record.jobId || !record.info?.service) return;
  const now = deps.clock();
  const job: DiagnoseJob = {
    kind: "diagnose",
    jobId: record.jobId,
    service: record.info.service,
    cluster: record.info.cluster,
    since: sinceFor(record.openedAt, now),
    channel,
    user: record.info.source === "alarm" ? "CloudWatch alarm" : "ECS event",
    requestedAt: now.toISOString(),
    incident: jobIncident(record),
  };
  await deps.dispatch(job);
  await mutate(deps.incidents, record.fingerprint, now, (prev) =>
    prev && prev.generation === record.generation && !prev.dispatchedAt
      ? { next: { ...prev, dispatchedAt: now.toISOString() }, result: {} }
      : { next: undefined, result: {} },
  );
}
