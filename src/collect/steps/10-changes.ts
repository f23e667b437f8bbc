import { changesEntry } from "../../steps/10-changes";
import { familyOf } from "../../aws/arn";
import { matchPath, secretKeys } from "../../diagnose/changes/path";
import type { ChangeEvent, ChangesData } from "../../evidence/schema";
import { iso, windowDates } from "../../time-window";
import { collectPath } from "../changes/path";
import { runLookup, type LookupResult } from "../changes/lookup";
import { outcome, type CollectContext, type Step } from "../step";

export { safeParameters, toChangeEvent } from "../changes/record";

/** Pages of the write-events sweep at most (50 events each, newest first). */
export const SWEEP_PAGES = 6;
/** Pages of each targeted lookup (the service's name, its task family) at most. */
export const TARGETED_PAGES = 2;
/**
 * LookupEvents requests one diagnosis makes at most: the sweep plus two targeted lookups. At CloudTrail's quota
 * (a burst of 2, then 2 requests/s per account and region, shared through `cloudTrailLimiter`) that is at most
 * ~4.5 s of pacing, whatever the number of target groups, security groups, roles or secrets on the path.
 */
export const MAX_LOOKUP_CALLS = SWEEP_PAGES + 2 * TARGETED_PAGES;
/** The look-back before the window is at least this long… */
const MIN_LOOKBACK_MS = 6 * 3600 * 1000;
/** …and never reaches further than CloudTrail's event history does. */
const CLOUDTRAIL_REACH_MS = 90 * 24 * 3600 * 1000;

/**
 * Step 10 — who changed what on the service's path, from CloudTrail LookupEvents.
 *
 * LookupEvents takes one lookup attribute per request at 2 requests/s per account and region, so looking up every
 * resource on the path by name (target groups, listeners, load balancer, security groups, subnets, route tables,
 * NAT gateways, VPC endpoints, roles, secrets, keys, the repository) would cost a call or more each. Instead:
 * - one **sweep** of write events (`ReadOnly=false`, at most SWEEP_PAGES pages) for the window and its lead time,
 *   matched here against the set of resource ids, ARNs and names on the path (`collectPath`, from the run's shared
 *   reads; `matchPath`): what touches someone else's resources is dropped;
 * - **targeted** lookups by ResourceName for the two names that matter most and that a busy account's sweep could
 *   page past: the service and its task-definition family (at most TARGETED_PAGES pages each).
 * Budget: MAX_LOOKUP_CALLS (10) requests at most, each taking a slot from the shared `cloudTrailLimiter` first.
 *
 * The change that caused an outage usually happened before the outage showed, so the lookups start before the
 * window: at `since − max(window length, 6 h)`, never further back than CloudTrail's 90 days (`lookupStart`).
 * Read-only calls are dropped unless they failed; request parameters are redacted and capped. The service lookup
 * and the sweep start at once; the family lookup when the (shared) task-definition read answers.
 */
export const changesStep: Step<"changes"> = {
  ...changesEntry,
  async collect(ctx) {
    const since = lookupStart(ctx);
    const max = ctx.limits.maxChangeEvents;
    const serviceLookup = runLookup(
      ctx,
      { key: "ResourceName", value: ctx.target.service, maxPages: TARGETED_PAGES, maxEvents: max },
      since,
    );
    const sweep = runLookup(
      ctx,
      { key: "ReadOnly", value: "false", maxPages: SWEEP_PAGES, maxEvents: 50 * SWEEP_PAGES },
      since,
    );
    const pathRead = collectPath(ctx);
    const family = await ctx
      .taskDefinitions()
      .then((tds) => tds.current.family)
      .catch(() => familyOf(ctx.service.taskDefinition));
    const familyLookup =
      family && family !== ctx.target.service
        ? runLookup(ctx, { key: "ResourceName", value: family, maxPages: TARGETED_PAGES, maxEvents: max }, since)
        : undefined;
    const [path, ...results] = await Promise.all([
      pathRead,
      serviceLookup,
      ...(familyLookup ? [familyLookup] : []),
      sweep,
    ]);

    const failures = results.flatMap((r) => (r.failure === undefined ? [] : [r.failure]));
    if (failures.length === results.length) throw failures[0];

    // The sweep keeps only what touches the path; targeted lookups found their events by the path's own names.
    const swept = results[results.length - 1]!;
    const resources = [...path.resources, ...secretKeys([...results.flatMap((r) => r.events)], path.resources)];
    const onPath = swept.events.filter((e) => matchPath(e, resources) !== undefined);
    const kept: LookupResult = {
      ...swept,
      lookup: {
        ...swept.lookup,
        events: Math.min(onPath.length, max),
        truncated: swept.lookup.truncated || onPath.length > max,
      },
      events: onPath.slice(0, max),
    };
    const merged = [...results.slice(0, -1), kept];

    // Merged in their fixed order, so an event found by several keeps the first `matchedBy`.
    const byId = new Map<string, ChangeEvent>();
    for (const r of merged) for (const e of r.events) if (!byId.has(e.eventId)) byId.set(e.eventId, e);
    const events = [...byId.values()].sort((a, b) => b.eventTime.localeCompare(a.eventTime));

    const data: ChangesData = {
      lookupSince: iso(since),
      lookups: merged.map((r) => r.lookup),
      events,
      path: resources,
    };
    return outcome(data, [...merged.flatMap((r) => (r.lookup.error ? [r.lookup.error] : [])), ...path.errors]);
  },
  // Off the critical path: the report may go out while the lookups still run ("recent changes: still reading").
  placeholder: (ctx, startedAt) => ({
    lookupSince: iso(lookupStart(ctx)),
    lookups: [],
    events: [],
    pending: { startedAt: iso(startedAt) },
  }),
};

/** `since − max(window length, 6 h)`, but not before CloudTrail's 90-day reach from now. */
export function lookupStart(ctx: Pick<CollectContext, "window" | "clock">): Date {
  const { since, until } = windowDates(ctx.window);
  const lookback = Math.max(until.getTime() - since.getTime(), MIN_LOOKBACK_MS);
  return new Date(Math.max(since.getTime() - lookback, ctx.clock().getTime() - CLOUDTRAIL_REACH_MS));
}
