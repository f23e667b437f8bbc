import { describe, expect, it } from "vitest";
import { serviceEventsStep } from "../../../src/collect/steps/01-service-events";
import { minutesAgo, sdkEvent, sdkService } from "../../fixtures/aws";
import { makeContext } from "../../helpers/context";

describe("step 1: service events", () => {
  it("keeps the window's events and those of the 6 h before it, newest first, marked inWindow, with AWS's wording intact", async () => {
    const events = [
      sdkEvent("(service payment-api) has reached a steady state.", minutesAgo(8 * 60)),
      sdkEvent("(service payment-api) has reached a steady state.", minutesAgo(120)),
      sdkEvent(
        "(service payment-api) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.",
        minutesAgo(30),
      ),
      sdkEvent("(service payment-api) is unable to consistently start tasks successfully.", minutesAgo(5)),
    ];
    const ctx = makeContext({ service: sdkService({ events }) });

    const result = await serviceEventsStep.collect(ctx);

    expect(result.status).toBe("collected");
    if (result.status === "skipped") throw new Error("unexpected skip");
    expect(result.data.returned).toBe(4);
    // The window is 09:00–10:00: the steady state at 08:00 is kept (it dates the last healthy moment), the one at
    // 02:00 is more than 6 h before the window and is not.
    expect(result.data.events).toEqual([
      { id: events[3]!.id, createdAt: "2026-11-26T09:55:00Z", message: events[3]!.message, inWindow: true },
      { id: events[2]!.id, createdAt: "2026-11-26T09:30:00Z", message: events[2]!.message, inWindow: true },
      { id: events[1]!.id, createdAt: "2026-11-26T08:00:00Z", message: events[1]!.message, inWindow: false },
    ]);
    expect(serviceEventsStep.summarize(result.data)).toContain(
      "2 event(s); latest: (service payment-api) is unable to consistently start",
    );
  });

  it("counts only in-window events in the summary when the rest are from before the window", async () => {
    const ctx = makeContext({
      service: sdkService({ events: [sdkEvent("(service payment-api) has reached a steady state.", minutesAgo(90))] }),
    });

    const result = await serviceEventsStep.collect(ctx);

    if (result.status === "skipped") throw new Error("unexpected skip");
    expect(result.data.events).toEqual([
      expect.objectContaining({ createdAt: "2026-11-26T08:30:00Z", inWindow: false }),
    ]);
    expect(serviceEventsStep.summarize(result.data)).toBe("no events in the window (1 older)");
  });

  it.each([
    { case: "events absent from the response", events: undefined },
    { case: "an empty event list", events: [] },
  ])("reports no events for $case", async ({ events }) => {
    const ctx = makeContext({ service: sdkService({ events }) });
    const result = await serviceEventsStep.collect(ctx);
    if (result.status === "skipped") throw new Error("unexpected skip");
    expect(result.data.events).toEqual([]);
    expect(serviceEventsStep.summarize(result.data)).toBe("no events in the window (0 older)");
  });
});
