import { changesEntry } from "../../steps/10-changes";
import { LookupEventsCommand, type Event as CloudTrailEvent } from "@aws-sdk/client-cloudtrail";
import { familyOf } from "../../aws/arn";
import { awsCall } from "../../aws/aws-call";
import { toStepError } from "../../aws/step-error";
import { redact, redactDeep } from "../../evidence/redact";
import type { ChangeEvent, ChangesData } from "../../evidence/schema";
import { iso, windowDates } from "../../time-window";
import { compact } from "../convert";
import { outcome, type CollectContext, type Step } from "../step";

/** LookupEvents returns at most 50 events per page. */
const PAGE_SIZE = 50;
/**
 * Pages read per lookup at most. CloudTrail often answers with short or empty pages that still carry a
 * NextToken (it scans by time), and read-only events are filtered out after reading, so the page count needs
 * its own bound besides `maxChangeEvents`.
 */
const MAX_PAGES = 10;
/** requestParameters larger than this (as JSON) are replaced by a summary. */
const MAX_PARAMETERS_BYTES = 4_096;
const READ_ONLY_NAME = /^(Describe|List|Get|Lookup|BatchGet)/;
/** The look-back before the window is at least this long… */
const MIN_LOOKBACK_MS = 6 * 3600 * 1000;
/** …and never reaches further than CloudTrail's event history does. */
const CLOUDTRAIL_REACH_MS = 90 * 24 * 3600 * 1000;

type Lookup = ChangesData["lookups"][number];

/**
 * Step 10 — who changed what around the service: CloudTrail LookupEvents by ResourceName for the service, its
 * task-definition family and current task-definition ARN, its target groups and its security groups.
 *
 * The change that caused an outage usually happened before the outage showed, so the lookups start before the
 * window: at `since − max(window length, 6 h)`, never further back than CloudTrail's 90 days (`lookupSince`).
 * LookupEvents takes a single lookup attribute per request and allows 2 requests per second per account and
 * region, so each request (each page too) first takes a slot from the shared `cloudTrailLimiter`. Read-only
 * calls are dropped unless they failed (a denied GetSecretValue is evidence); request parameters are redacted
 * and capped.
 */
export const changesStep: Step<"changes"> = {
  ...changesEntry,
  async collect(ctx) {
    const lookupSince = lookupStart(ctx);
    // CloudTrail's quota paces this step, so the lookups that need nothing else start at once; the family and the
    // task-definition ARN follow when the (shared, memoised) task-definition read answers.
    const early = new Map(knownValues(ctx).map((value) => [value, runLookup(ctx, value, lookupSince)]));
    const values = await lookupValues(ctx);
    const results = await Promise.all(values.map((value) => early.get(value) ?? runLookup(ctx, value, lookupSince)));

    const failures = results.flatMap((r) => (r.failure === undefined ? [] : [r.failure]));
    if (results.length > 0 && failures.length === results.length) throw failures[0];

    // Lookups are merged in their fixed order, so an event found by several keeps the first `matchedBy`.
    const byId = new Map<string, ChangeEvent>();
    for (const r of results) for (const e of r.events) if (!byId.has(e.eventId)) byId.set(e.eventId, e);
    const events = [...byId.values()].sort((a, b) => b.eventTime.localeCompare(a.eventTime));

    const data: ChangesData = { lookupSince: iso(lookupSince), lookups: results.map((r) => r.lookup), events };
    return outcome(
      data,
      results.flatMap((r) => (r.lookup.error ? [r.lookup.error] : [])),
    );
  },
};

/**
 * ResourceName values to look up, in a fixed order, without duplicates. CloudTrail indexes some task-definition
 * events by family and some, it seems, by ARN (RegisterTaskDefinition's resource is likely the new revision's
 * ARN), so both the family and the current task-definition ARN are looked up.
 */
async function lookupValues(ctx: CollectContext): Promise<string[]> {
  const current = await ctx
    .taskDefinitions()
    .then((tds) => ({ family: tds.current.family, arn: tds.current.taskDefinitionArn }))
    .catch(() => ({ family: familyOf(ctx.service.taskDefinition), arn: ctx.service.taskDefinition }));
  const values = [
    ctx.target.service,
    current.family,
    current.arn,
    ...ctx.service.loadBalancers.map((lb) => lb.targetGroupArn),
    ...(ctx.service.network?.securityGroups ?? []),
  ];
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v.length > 0))];
}

/** The lookup values known from the service alone (a subset of `lookupValues`). */
function knownValues(ctx: CollectContext): string[] {
  const values = [
    ctx.target.service,
    ...ctx.service.loadBalancers.map((lb) => lb.targetGroupArn),
    ...(ctx.service.network?.securityGroups ?? []),
  ];
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v.length > 0))];
}

/** `since − max(window length, 6 h)`, but not before CloudTrail's 90-day reach from now. */
export function lookupStart(ctx: Pick<CollectContext, "window" | "clock">): Date {
  const { since, until } = windowDates(ctx.window);
  const lookback = Math.max(until.getTime() - since.getTime(), MIN_LOOKBACK_MS);
  return new Date(Math.max(since.getTime() - lookback, ctx.clock().getTime() - CLOUDTRAIL_REACH_MS));
}

interface LookupResult {
  lookup: Lookup;
  events: ChangeEvent[];
  /** The raw error, kept so the step can throw it when every lookup failed. */
  failure?: unknown;
}

async function runLookup(ctx: CollectContext, value: string, since: Date): Promise<LookupResult> {
  const { until } = windowDates(ctx.window);
  const matchedBy = `ResourceName=${value}`;
  const max = ctx.limits.maxChangeEvents;
  const events: ChangeEvent[] = [];
  let truncated = false;
  try {
    await awsCall("cloudtrail:LookupEvents", async () => {
      // Pages are requested one by one so each request first takes a limiter slot. CloudTrail may answer short
      // or empty pages that still carry a NextToken (it scans by time): the pages are bounded too.
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        await ctx.cloudTrailLimiter.acquire();
        const response = await ctx.clients.cloudtrail.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: "ResourceName", AttributeValue: value }],
            StartTime: since,
            EndTime: until,
            MaxResults: PAGE_SIZE,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        for (const raw of response.Events ?? []) {
          const event = toChangeEvent(raw, matchedBy);
          if (!event) continue;
          if (events.length >= max) {
            truncated = true;
            return;
          }
          events.push(event);
        }
        nextToken = response.NextToken;
        if (!nextToken) return;
        if (events.length >= max) {
          truncated = true;
          return;
        }
      }
      truncated = true;
    });
  } catch (error) {
    const lookup = compact({
      attributeKey: "ResourceName",
      attributeValue: value,
      events: events.length,
      truncated,
      error: toStepError(error),
    });
    return { lookup, events, failure: error };
  }
  return { lookup: { attributeKey: "ResourceName", attributeValue: value, events: events.length, truncated }, events };
}

/**
 * One LookupEvents record → a change, or undefined for a read-only call that succeeded. A read-only call that
 * failed (`errorCode`, e.g. AccessDenied on GetSecretValue) is kept: it is evidence. The details live in the
 * `CloudTrailEvent` JSON string; when it is missing or malformed the envelope's own fields are kept.
 */
export function toChangeEvent(e: CloudTrailEvent, matchedBy: string): ChangeEvent | undefined {
  const record = parseRecord(e.CloudTrailEvent);
  const eventName = e.EventName ?? str(record?.["eventName"]);
  const eventId = e.EventId ?? str(record?.["eventID"]);
  const eventTime = e.EventTime ? iso(e.EventTime) : normalizeTime(str(record?.["eventTime"]));
  if (!eventName || !eventId || !eventTime) return undefined;
  const errorCode = str(record?.["errorCode"]);
  if (isReadOnly(eventName, record, e.ReadOnly) && errorCode === undefined) return undefined;

  const identity = asRecord(record?.["userIdentity"]);
  const issuer = asRecord(asRecord(identity?.["sessionContext"])?.["sessionIssuer"]);
  const errorMessage = str(record?.["errorMessage"]);
  const userAgent = str(record?.["userAgent"]);
  const parameters = asRecord(record?.["requestParameters"]);
  return compact({
    eventId,
    eventName,
    eventSource: str(record?.["eventSource"]) ?? e.EventSource,
    eventTime,
    actor: str(identity?.["arn"]) ?? e.Username,
    username: e.Username ?? str(identity?.["userName"]) ?? str(issuer?.["userName"]),
    sourceIPAddress: str(record?.["sourceIPAddress"]),
    userAgent: userAgent === undefined ? undefined : userAgent.slice(0, 300),
    errorCode,
    errorMessage: errorMessage === undefined ? undefined : redact(errorMessage).slice(0, 1_000),
    requestParameters: parameters ? safeParameters(parameters) : undefined,
    resources: (e.Resources ?? []).map((r) => compact({ type: r.ResourceType, name: r.ResourceName })),
    matchedBy,
  });
}

/** The record's `readOnly` (a JSON boolean) or the envelope's `ReadOnly` ("true"/"false"); else the name decides. */
function isReadOnly(
  eventName: string,
  record: Record<string, unknown> | undefined,
  envelope: string | undefined,
): boolean {
  const flag = record?.["readOnly"];
  if (typeof flag === "boolean") return flag;
  if (flag === "true" || flag === "false") return flag === "true";
  if (envelope === "true" || envelope === "false") return envelope === "true";
  return READ_ONLY_NAME.test(eventName);
}

/**
 * Redacted request parameters, small enough for a snapshot. Container `environment` values are dropped first
 * (RegisterTaskDefinition records them in clear, and people put secrets there); above 4 KB only the small
 * top-level values and the container names and images are kept.
 */
export function safeParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const redacted = asRecord(redactDeep(withoutEnvironmentValues(parameters))) ?? {};
  const bytes = JSON.stringify(redacted).length;
  if (bytes <= MAX_PARAMETERS_BYTES) return redacted;

  const summary: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(redacted)) {
    const size = JSON.stringify(value)?.length ?? 0;
    if (size <= 256) summary[key] = value;
    else if (key === "containerDefinitions" && Array.isArray(value)) {
      summary[key] = value.slice(0, 20).map((c) => {
        const container = asRecord(c);
        return compact({ name: str(container?.["name"]), image: str(container?.["image"]) });
      });
      dropped.push(`${key} (all but name and image)`);
    } else dropped.push(key);
  }
  summary["_truncated"] = `requestParameters was ${bytes} bytes; dropped: ${dropped.join(", ")}`;
  return summary;
}

function withoutEnvironmentValues(value: unknown, depth = 0): unknown {
  if (depth > 20) return value;
  if (Array.isArray(value)) return value.map((v) => withoutEnvironmentValues(v, depth + 1));
  const record = asRecord(value);
  if (!record) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    out[key] =
      key === "environment" && Array.isArray(v)
        ? v.map((item) => {
            const entry = asRecord(item);
            return entry && "value" in entry ? { ...entry, value: "[REDACTED:env-value]" } : item;
          })
        : withoutEnvironmentValues(v, depth + 1);
  }
  return out;
}

function parseRecord(json: string | undefined): Record<string, unknown> | undefined {
  if (!json) return undefined;
  try {
    return asRecord(JSON.parse(json));
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function normalizeTime(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : iso(date);
}
