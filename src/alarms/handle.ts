import { randomUUID } from "node:crypto";
import type { WebClient } from "@slack/web-api";
import type { Clock } from "../clock";
import type { Config } from "../config/config";
import { archivesService } from "../config/routing";
import type { Dispatch } from "../slack/dispatch";

import type { IdempotencyStore } from "../store/idempotency";
import {
  fingerprintOf,
  splitFingerprint,
  type Effect,
  type IncidentInfo,
  type IncidentStore,
  type Policy,
} from "../store/incidents";
import { archiveStoppedTask } from "../store/stopped-tasks";
import { replyInThread, warnReply } from "./incident-message";
import { applyAndAct, postDeps } from "./incident-effects";
import { mapAlarm } from "./map-service";
import type { AlarmSignal, EcsServiceSignal, ParseResult, Signal, TaskStoppedSignal } from "./parse";
import type { ServiceLookup, ServiceRef } from "./service-lookup";
import { causeKeysOfEvent } from "./storm";

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

export const DELIVERY_TTL_SECONDS = 24 * 3600;
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
