import { LookupEventsCommand, type LookupAttributeKey } from "@aws-sdk/client-cloudtrail";
import { awsCall } from "../../aws/aws-call";
import { toStepError } from "../../aws/step-error";
import type { ChangeEvent, ChangesData } from "../../evidence/schema";
import { windowDates } from "../../time-window";
import { compact } from "../convert";
import type { CollectContext } from "../step";
import { toChangeEvent } from "./record";

/** LookupEvents returns at most 50 events per page. */
const PAGE_SIZE = 50;

export type Lookup = ChangesData["lookups"][number];

export interface LookupResult {
  readonly lookup: Lookup;
  readonly events: ChangeEvent[];
  /** The raw error, kept so the step can throw it when every lookup failed. */
  readonly failure?: unknown;
}

export interface LookupSpec {
  readonly key: LookupAttributeKey;
  readonly value: string;
  /** Pages read at most: every page is one request against CloudTrail's 2/s quota. */
  readonly maxPages: number;
  /** Events kept at most (read-only calls that succeeded are never kept). */
  readonly maxEvents: number;
}

/**
 * One LookupEvents attribute from `since` to the window's end, page by page, each page taking a slot from the shared
 * `cloudTrailLimiter` first. CloudTrail may answer short or empty pages that still carry a NextToken (it scans by
 * time), so the pages are bounded besides the events. `truncated`: more pages or events were left unread.
 */
export async function runLookup(ctx: CollectContext, spec: LookupSpec, since: Date): Promise<LookupResult> {
  const { until } = windowDates(ctx.window);
  const matchedBy = `${spec.key}=${spec.value}`;
  const events: ChangeEvent[] = [];
  let truncated = false;
  let pages = 0;
  try {
    await awsCall("cloudtrail:LookupEvents", async () => {
      let nextToken: string | undefined;
      for (; pages < spec.maxPages;) {
        await ctx.cloudTrailLimiter.acquire();
        pages += 1;
        const response = await ctx.clients.cloudtrail.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: spec.key, AttributeValue: spec.value }],
            StartTime: since,
            EndTime: until,
            MaxResults: PAGE_SIZE,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        for (const raw of response.Events ?? []) {
          const event = toChangeEvent(raw, matchedBy);
          if (!event) continue;
          if (events.length >= spec.maxEvents) {
            truncated = true;
            return;
          }
          events.push(event);
        }
        nextToken = response.NextToken;
        if (!nextToken) return;
        if (events.length >= spec.maxEvents) {
          truncated = true;
          return;
        }
      }
      truncated = true;
    });
  } catch (error) {
    const lookup = compact({
      attributeKey: spec.key,
      attributeValue: spec.value,
      events: events.length,
      truncated,
      error: toStepError(error),
    });
    return { lookup, events, failure: error };
  }
  return { lookup: { attributeKey: spec.key, attributeValue: spec.value, events: events.length, truncated }, events };
}
