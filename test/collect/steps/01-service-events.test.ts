import { describe, expect, it } from "vitest";
import { serviceEventsStep } from "../../../src/collect/steps/01-service-events";
import { minutesAgo, sdkEvent, sdkService } from "../../fixtures/aws";
import { makeContext } from "../../helpers/context";

describe("step 1: service events", () => {
  it("keeps the window's events, newest first, with AWS's wording intact", async () => {
    const events = [
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
    expect(result.data.returned).toBe(3);
    expect(result.data.events.map((e) => e.message)).toEqual([events[2]!.message, events[1]!.message]);
    expect(result.data.events[0]!.createdAt).toBe("2026-11-26T09:55:00Z");
    expect(serviceEventsStep.summarize(result.data)).toContain("2 event(s); latest: (service payment-api) is unable to consistently start");
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
