import { serviceEventsEntry } from "../../steps/01-service-events";
import type { ServiceEventsData } from "../../evidence/schema";
import { iso, windowDates } from "../../time-window";
import { outcome, type Step } from "../step";

/**
 * How far before the window events are kept: far enough back to show the last "has reached a steady state"
 * message before the onset, which dates when things were last fine.
 */
export const EVENTS_LOOKBACK_MS = 6 * 3600 * 1000;

/**
 * Step 1 — the service's event log (DescribeServices `events`, newest first, at most 100 kept by ECS).
 * Read from the DescribeServices answer the target resolution already has: no extra call. Events from 6 hours
 * before the window to its end are kept, each marked `inWindow`.
 */
export const serviceEventsStep: Step<"service-events"> = {
  ...serviceEventsEntry,
  async collect(ctx) {
    const { since, until } = windowDates(ctx.window);
    const from = new Date(since.getTime() - EVENTS_LOOKBACK_MS);
    const all = ctx.sdkService.events ?? [];
    const events = all
      .flatMap((e) =>
        e.createdAt && e.createdAt >= from && e.createdAt <= until ? [{ ...e, createdAt: e.createdAt }] : [],
      )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((e) => ({
        id: e.id ?? "",
        createdAt: iso(e.createdAt),
        message: e.message ?? "",
        inWindow: e.createdAt >= since,
      }));
    const data: ServiceEventsData = { events, returned: all.length };
    return outcome(data);
  },
};
