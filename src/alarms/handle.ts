import { randomUUID } from "node:crypto";
import type { WebClient } from "@slack/web-api";
import type { Clock } from "../clock";
import type { Config } from "../config/config";
import { archivesService, routeChannel } from "../config/routing";
import type { Dispatch } from "../slack/dispatch";
import type { DiagnoseJob } from "../slack/job";
import type { IdempotencyStore } from "../store/idempotency";
import {
  applySignal,
  DEFAULT_POLICY,
  fingerprintOf,
  mutate,
  splitFingerprint,
  type Effect,
  type IncidentInfo,
  type IncidentRecord,
  type IncidentStore,
  type Policy,
} from "../store/incidents";
import { archiveStoppedTask, readArchivedStoppedTasks } from "../store/stopped-tasks";
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
  warnReply,
  type IncidentPostDeps,
} from "./incident-message";
import { mapAlarm } from "./map-service";
import type { AlarmSignal, EcsServiceSignal, ParseResult, Signal, TaskStoppedSignal } from "./parse";
import type { ServiceLookup, ServiceRef } from "./service-lookup";
import { causeKeysOfEvent, causeKeysOfTasks, STORM_LOOKBACK_MS, STORM_WINDOW_MS, type CauseKey } from "./storm";

/**
 * The alarm/event use case: de-duplicate the delivery, map, apply the signal to its incident, and act on the
 * effect — hand a diagnosis to the worker (the same async job as `/ecs diagnose`, with the incident fields), reply
 * in the thread, update the post. Each signal is independent; an AWS or Slack failure of one is thrown after the
 * delivery claim is released, so Lambda's retry can do it again.
 */

export interface AlarmDeps {
  readonly incidents: IncidentStore;
  /** Delivery de-duplication (the same SNS MessageId / EventBridge id twice). */
  readonly deliveries: IdempotencyStore;
  readonly dispatch: Dispatch;
  readonly slack: WebClient;
  readonly lookup: ServiceLookup;
  readonly config: Config;
  readonly clock: Clock;
  readonly env?: NodeJS.ProcessEnv;
  readonly policy?: Policy;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** Unique per invocation. @default randomUUID() */
  readonly runId?: string;
}

export type SignalOutcome =
  | { readonly delivery: string; readonly status: "duplicate" }
  | { readonly delivery: string; readonly status: "archived" | "not-archived" }
  | {
      readonly delivery: string;
      readonly status: "applied";
      readonly effect: Effect["kind"];
      readonly fingerprint: string;
      readonly action?: string;
    }
  | { readonly delivery: string; readonly status: "ignored"; readonly why: string };

export interface HandleResult {
  readonly outcomes: readonly SignalOutcome[];
  readonly rejected: number;
}

const DELIVERY_TTL_SECONDS = 24 * 3600;
const DELIVERY_LEASE_SECONDS = 120;

export async function handleSignals(parsed: ParseResult, deps: AlarmDeps): Promise<HandleResult> {
  const log = deps.log ?? (() => undefined);
  for (const r of parsed.rejected) {
    log("malformed alarm/event payload dropped: nothing posted", { ...r });
  }
  for (const i of parsed.ignored) log("event ignored", { ...i });
  const outcomes: SignalOutcome[] = [];
  const failures: unknown[] = [];
  for (const signal of parsed.signals) {
    try {
      outcomes.push(await handleOne(signal, deps));
    } catch (error) {
      failures.push(error);
      log("signal failed; Lambda will retry the delivery", {
        delivery: signal.deliveryId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  if (failures.length > 0) throw failures[0];
  return { outcomes, rejected: parsed.rejected.length };
}

async function handleOne(signal: Signal, deps: AlarmDeps): Promise<SignalOutcome> {
  const delivery = `${signal.kind === "alarm" ? signal.via : "eventbridge"}#${signal.deliveryId}`;
  const key = `alarm-delivery#${delivery}`;
  const claim = await deps.deliveries.claim(key, {
    owner: deps.runId ?? randomUUID(),
    leaseSeconds: DELIVERY_LEASE_SECONDS,
    ttlSeconds: DELIVERY_TTL_SECONDS,
    now: deps.clock(),
  });
  if (!claim.claimed) {
    deps.log?.("duplicate delivery ignored", { delivery });
    return { delivery, status: "duplicate" };
  }
  try {
    const outcome =
      signal.kind === "alarm"
        ? await onAlarm(signal, deps, delivery)
        : signal.kind === "ecs-service"
          ? await onEcsService(signal, deps, delivery)
          : await onTaskStopped(signal, deps, delivery);
    await deps.deliveries.finish(key, deps.clock());
    return outcome;
  } catch (error) {
    await deps.deliveries.release(key, deps.clock()).catch(() => undefined);
    throw error;
  }
}

// ── alarms ───────────────────────────────────────────────────────────────────────────────────────

function metricText(signal: AlarmSignal): string | undefined {
  const shown = signal.metrics.filter((m) => m.returnData !== false);
  const m = shown[0] ?? signal.metrics[0];
  if (!m) return signal.alarmRule ? `composite: ${signal.alarmRule}` : undefined;
  if (m.expression) return `${m.label ?? m.expression} (${m.expression})`;
  return [m.namespace, m.name].filter(Boolean).join(" ") + (m.stat ? ` ${m.stat}` : "");
}

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: "≥",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "≤",
};

export function alarmConsoleUrl(region: string, alarmName: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

async function onAlarm(signal: AlarmSignal, deps: AlarmDeps, delivery: string): Promise<SignalOutcome> {
  if (signal.state === "INSUFFICIENT_DATA") {
    deps.log?.("INSUFFICIENT_DATA: the incident (if any) stays as it is", { alarm: signal.alarmName });
    return { delivery, status: "ignored", why: "INSUFFICIENT_DATA" };
  }
  const mapping = await mapAlarm(signal, deps.config, deps.lookup);
  const primary: ServiceRef | undefined = mapping.services[0];
  const fingerprint = fingerprintOf(
    { account: signal.account, region: signal.region, cluster: primary?.cluster, service: primary?.service },
    `alarm#${signal.alarmName}`,
  );
  const info: IncidentInfo = {
    source: "alarm",
    title: signal.alarmName,
    account: signal.account,
    region: signal.region,
    cluster: primary?.cluster,
    service: primary?.service,
    alarmName: signal.alarmName,
    metric: metricText(signal),
    threshold:
      signal.threshold !== undefined
        ? `${signal.comparison ? `${COMPARISON[signal.comparison] ?? signal.comparison} ` : ""}${signal.threshold}`
        : undefined,
    value: signal.value !== undefined ? String(signal.value) : undefined,
    reason: signal.description,
    link: signal.region ? alarmConsoleUrl(signal.region, signal.alarmName) : undefined,
    mappedBy: mapping.mappedBy,
  };
  const extra = mapping.services.slice(1).map((s) => `${s.cluster}/${s.service}`);
  return applyAndAct(deps, delivery, fingerprint, {
    state: signal.state,
    at: signal.changedAt,
    info,
    tags: mapping.tags,
    unmappedWhy: primary ? undefined : mapping.mappedBy,
    extraServices: extra,
    causes: [],
  });
}

// ── ECS service events ───────────────────────────────────────────────────────────────────────────

async function onEcsService(signal: EcsServiceSignal, deps: AlarmDeps, delivery: string): Promise<SignalOutcome> {
  const scope = { account: signal.account, region: signal.region, cluster: signal.cluster, service: signal.service };
  const info: IncidentInfo = {
    source: "ecs-event",
    title: signal.eventName,
    account: signal.account,
    region: signal.region,
    cluster: signal.cluster,
    service: signal.service,
    reason: signal.reason,
    link: `https://${signal.region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(signal.cluster)}/services/${encodeURIComponent(signal.service)}/events?region=${signal.region}`,
    mappedBy: "the event's service ARN",
  };
  const failing =
    (signal.detailType === "ECS Deployment State Change" && signal.eventName === "SERVICE_DEPLOYMENT_FAILED") ||
    (signal.detailType === "ECS Service Action" && signal.eventType === "ERROR");
  if (failing) {
    return applyAndAct(deps, delivery, fingerprintOf(scope, `ecs#${signal.eventName}`), {
      state: "ALARM",
      at: signal.at,
      info,
      tags: {},
      extraServices: [],
      causes: causeKeysOfEvent(signal),
    });
  }
  // Recovery: a completed deployment ends a failed-deployment incident; steady state ends service-action ones.
  const recovers =
    signal.eventName === "SERVICE_DEPLOYMENT_COMPLETED"
      ? (klass: string) => klass === "ecs#SERVICE_DEPLOYMENT_FAILED"
      : signal.eventName === "SERVICE_STEADY_STATE"
        ? (klass: string) => klass.startsWith("ecs#") && klass !== "ecs#SERVICE_DEPLOYMENT_FAILED"
        : undefined;
  const open = (await deps.incidents.listScope(fingerprintOf(scope, "").split("|")[0]!)).filter(
    (r) => r.state === "open",
  );
  if (recovers) {
    const targets = open.filter((r) => recovers(splitFingerprint(r.fingerprint).klass));
    let last: SignalOutcome = { delivery, status: "ignored", why: `${signal.eventName}: no open incident` };
    for (const r of targets) {
      last = await applyAndAct(deps, delivery, r.fingerprint, {
        state: "OK",
        at: signal.at,
        info: r.info ?? info,
        tags: {},
        extraServices: [],
        causes: [],
      });
    }
    return last;
  }
  if (signal.eventType === "WARN") {
    // WARN events (SERVICE_TASK_START_IMPAIRED …) go into the service's open incident, newest first; none → dropped.
    const target = open.filter((r) => r.ts).sort((a, b) => (b.openedAt ?? "").localeCompare(a.openedAt ?? ""))[0];
    if (!target) return { delivery, status: "ignored", why: `${signal.eventName} (WARN) with no open incident` };
    await replyInThread(postDeps(deps), target, warnReply(signal.eventName, signal.reason));
    return { delivery, status: "applied", effect: "repeat", fingerprint: target.fingerprint, action: "warn reply" };
  }
  return { delivery, status: "ignored", why: `${signal.eventType} ${signal.eventName} is not acted on` };
}

// ── stopped tasks ────────────────────────────────────────────────────────────────────────────────

async function onTaskStopped(signal: TaskStoppedSignal, deps: AlarmDeps, delivery: string): Promise<SignalOutcome> {
  const cluster = signal.clusterArn.slice(signal.clusterArn.lastIndexOf("/") + 1);
  if (!signal.service || !archivesService(deps.config, cluster, signal.service)) {
    return { delivery, status: "not-archived" };
  }
  await archiveStoppedTask(deps.incidents, signal, {
    now: deps.clock(),
    ttlDays: deps.config.stoppedTaskArchive.ttlDays,
  });
  return { delivery, status: "archived" };
}

// ── effects ──────────────────────────────────────────────────────────────────────────────────────

interface Applied {
  readonly state: "ALARM" | "OK";
  readonly at: string;
  readonly info: IncidentInfo;
  readonly tags: Readonly<Record<string, string>>;
  readonly unmappedWhy?: string | undefined;
  readonly extraServices: readonly string[];
  readonly causes: readonly CauseKey[];
}

function postDeps(deps: AlarmDeps): IncidentPostDeps {
  return { store: deps.incidents, slack: deps.slack, clock: deps.clock, log: deps.log };
}

async function applyAndAct(deps: AlarmDeps, delivery: string, fingerprint: string, a: Applied): Promise<SignalOutcome> {
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
