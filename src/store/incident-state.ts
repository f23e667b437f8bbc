import { createHash } from "node:crypto";

/**
 * The life of an incident as a pure state machine: `transition(previous, signal, policy)` → the next record and the
 * effect to carry out (open, repeat, resolve, reopen, ignore). No I/O: `src/store/incidents.ts` stores the records
 * and runs the compare-and-swap around it. The rules are in that module's header.
 */

export type IncidentState = "open" | "resolved";

/** What the post shows about the trigger; fixed when a generation opens. */
export interface IncidentInfo {
  readonly source: "alarm" | "ecs-event";
  readonly title: string;
  readonly account?: string | undefined;
  readonly region?: string | undefined;
  readonly cluster?: string | undefined;
  readonly service?: string | undefined;
  readonly alarmName?: string | undefined;
  readonly metric?: string | undefined;
  readonly threshold?: string | undefined;
  readonly value?: string | undefined;
  readonly reason?: string | undefined;
  readonly link?: string | undefined;
  readonly mappedBy?: string | undefined;
}

export interface IncidentRecord {
  readonly fingerprint: string;
  /** CAS counter: every write increments it. */
  readonly version: number;
  /** Absent on a tombstone (an OK seen with no incident). */
  readonly state?: IncidentState | undefined;
  /** 1 for the first incident of this fingerprint, +1 for each new one after a resolution. */
  readonly generation: number;
  /** Signal time of the ALARM that opened this generation ("since"). */
  readonly openedAt?: string | undefined;
  /** Signal time of the newest open or reopen (out-of-order OKs are compared with it). */
  readonly activeSince?: string | undefined;
  readonly lastAlarmAt?: string | undefined;
  readonly lastOkAt?: string | undefined;
  readonly resolvedAt?: string | undefined;
  /** ALARM notifications in this generation, the first included. */
  readonly count: number;
  readonly reopenCount: number;
  /** Clock time the generation was opened by this system (for the re-dispatch rule). */
  readonly createdAt?: string | undefined;
  readonly jobId?: string | undefined;
  readonly dispatchedAt?: string | undefined;
  readonly channel?: string | undefined;
  /** The Slack post (recorded by the worker through `incidentPosted`). */
  readonly ts?: string | undefined;
  /** The post's blocks (JSON), to update its header without losing the report. */
  readonly blocks?: string | undefined;
  readonly lastReplyAt?: string | undefined;
  /** `count` when the thread was last told. */
  readonly repliedCount?: number | undefined;
  /** Storm member: the primary incident's fingerprint this one is grouped into (no post of its own). */
  readonly groupedInto?: string | undefined;
  /** Storm primary: the other services grouped into it (`cluster/service`). */
  readonly members?: readonly string[] | undefined;
  readonly sharedCause?: string | undefined;
  readonly info?: IncidentInfo | undefined;
}

export type Effect =
  | { readonly kind: "open"; readonly alreadyResolved: boolean }
  | { readonly kind: "reopen"; readonly quietMs: number }
  | { readonly kind: "repeat"; readonly reply: boolean; readonly redispatch: boolean }
  | { readonly kind: "resolve"; readonly durationMs: number }
  | { readonly kind: "ignore"; readonly why: string };

export interface Policy {
  readonly reopenWindowMs: number;
  readonly replyEveryMs: number;
  /** A generation whose job was never handed over this long after opening is handed over again (same job id). */
  readonly redispatchAfterMs: number;
}
export const DEFAULT_POLICY: Policy = {
  reopenWindowMs: 30 * 60_000,
  replyEveryMs: 5 * 60_000,
  redispatchAfterMs: 45_000,
};

export interface SignalInput {
  readonly state: "ALARM" | "OK";
  /** Signal time (ISO). */
  readonly at: string;
  readonly info: IncidentInfo;
  /** Clock time now (ISO). */
  readonly now: string;
}

/** The worker's idempotency key for a generation's diagnosis (≤ 200 chars whatever the alarm name). */
export function incidentJobId(fingerprint: string, generation: number): string {
  return `incident-${createHash("sha256").update(fingerprint).digest("hex").slice(0, 32)}-${generation}`;
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);
const later = (a: string | undefined, b: string) => (a && ms(a) > ms(b) ? a : b);

/** The pure state machine. `prev` undefined: nothing stored yet. */
export function transition(
  fingerprint: string,
  prev: IncidentRecord | undefined,
  input: SignalInput,
  policy: Policy = DEFAULT_POLICY,
): { next: IncidentRecord; effect: Effect } | { next: undefined; effect: Effect } {
  const base: IncidentRecord = prev ?? { fingerprint, version: 0, generation: 0, count: 0, reopenCount: 0 };
  const t = ms(input.at);
  const now = ms(input.now);
  const fresh = (alreadyResolvedAt?: string): IncidentRecord => ({
    fingerprint,
    version: base.version,
    state: alreadyResolvedAt ? "resolved" : "open",
    generation: base.generation + 1,
    openedAt: input.at,
    activeSince: input.at,
    lastAlarmAt: input.at,
    lastOkAt: base.lastOkAt,
    resolvedAt: alreadyResolvedAt,
    count: 1,
    reopenCount: 0,
    createdAt: input.now,
    jobId: incidentJobId(fingerprint, base.generation + 1),
    info: input.info,
  });

  if (input.state === "OK") {
    if (!base.state) {
      return {
        next: { ...base, lastOkAt: later(base.lastOkAt, input.at) },
        effect: { kind: "ignore", why: "OK with no incident (kept, so a late ALARM opens it resolved)" },
      };
    }
    if (base.state === "resolved") {
      return { next: undefined, effect: { kind: "ignore", why: "already resolved" } };
    }
    if (t < ms(base.activeSince)) {
      return {
        next: undefined,
        effect: { kind: "ignore", why: "OK older than the ALARM that opened it (out of order)" },
      };
    }
    return {
      next: { ...base, state: "resolved", resolvedAt: input.at, lastOkAt: later(base.lastOkAt, input.at) },
      effect: { kind: "resolve", durationMs: Math.max(0, t - ms(base.openedAt)) },
    };
  }

  // ALARM
  if (!base.state) {
    const okAfter = base.lastOkAt && ms(base.lastOkAt) >= t ? base.lastOkAt : undefined;
    return { next: fresh(okAfter), effect: { kind: "open", alreadyResolved: okAfter !== undefined } };
  }
  if (base.state === "open" && (t === ms(base.activeSince) || t === ms(base.lastAlarmAt))) {
    // The state change already applied, arriving by another path (SNS and EventBridge both subscribed) or
    // re-published: not a new notification.
    return { next: undefined, effect: { kind: "ignore", why: "same state change already applied (another path)" } };
  }
  if (base.state === "open") {
    const reply =
      base.ts !== undefined && (base.lastReplyAt === undefined || now - ms(base.lastReplyAt) >= policy.replyEveryMs);
    const redispatch = !base.groupedInto && !base.dispatchedAt && now - ms(base.createdAt) >= policy.redispatchAfterMs;
    return {
      next: {
        ...base,
        count: base.count + 1,
        lastAlarmAt: later(base.lastAlarmAt, input.at),
        ...(reply ? { lastReplyAt: input.now, repliedCount: base.count + 1 } : {}),
        ...(redispatch ? { createdAt: input.now } : {}),
      },
      effect: { kind: "repeat", reply, redispatch },
    };
  }
  // resolved
  if (t <= ms(base.resolvedAt)) {
    return { next: undefined, effect: { kind: "ignore", why: "ALARM older than the resolution (out of order)" } };
  }
  const quietMs = t - ms(base.resolvedAt);
  if (quietMs <= policy.reopenWindowMs) {
    return {
      next: {
        ...base,
        state: "open",
        resolvedAt: undefined,
        activeSince: input.at,
        lastAlarmAt: input.at,
        count: base.count + 1,
        reopenCount: base.reopenCount + 1,
      },
      effect: { kind: "reopen", quietMs },
    };
  }
  return { next: fresh(), effect: { kind: "open", alreadyResolved: false } };
}
