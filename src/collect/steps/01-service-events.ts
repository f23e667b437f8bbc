import type { ServiceEventsData } from "../../evidence/schema";
import { iso, windowDates } from "../../time-window";
import { outcome, type Step } from "../step";

/**
 * Step 1 — the service's event log (DescribeServices `events`, newest first, at most 100 kept by ECS).
 * Read from the DescribeServices answer the target resolution already has: no extra call.
 */
export const serviceEventsStep: Step<"service-events"> = {
  id: "service-events",
  number: 1,
  title: "Service events",
  async collect(ctx) {
    const { since, until } = windowDates(ctx.window);
    const all = ctx.sdkService.events ?? [];
    const events = all
      .filter((e) => e.createdAt && e.createdAt >= since && e.createdAt <= until)
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
      .map((e) => ({ id: e.id ?? "", createdAt: iso(e.createdAt!), message: e.message ?? "" }));
    const data: ServiceEventsData = { events, returned: all.length };
    return outcome(data);
  },
  summarize(data) {
    if (data.events.length === 0) return `no events in the window (${data.returned} older)`;
    const latest = data.events[0]!;
    return `${data.events.length} event(s); latest: ${oneLine(latest.message)}`;
  },
};

function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
