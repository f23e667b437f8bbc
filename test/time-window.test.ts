import { describe, expect, it } from "vitest";
import { fixedClock } from "../src/clock";
import { UsageError } from "../src/errors";
import { parseWindow } from "../src/time-window";

const clock = fixedClock("2026-11-26T10:00:00.000Z");

describe("parseWindow", () => {
  it.each([
    { case: "minutes", input: "30m", since: "2026-11-26T09:30:00Z" },
    { case: "hours", input: "2h", since: "2026-11-26T08:00:00Z" },
    { case: "a compound duration", input: "1h30m", since: "2026-11-26T08:30:00Z" },
    { case: "days", input: "1d", since: "2026-11-25T10:00:00Z" },
    { case: "upper case", input: "2H", since: "2026-11-26T08:00:00Z" },
    { case: "an ISO time", input: "2026-11-26T07:15:00Z", since: "2026-11-26T07:15:00Z" },
  ])("reads $case", ({ input, since }) => {
    expect(parseWindow(input, clock)).toEqual({ since, until: "2026-11-26T10:00:00Z" });
  });

  it.each([
    { case: "an unknown unit", input: "10x", message: /use a duration like 30m/ },
    { case: "trailing junk", input: "2hours", message: /use a duration like 30m/ },
    { case: "a future time", input: "2026-11-27T00:00:00Z", message: /not in the past/ },
    { case: "more than a week", input: "8d", message: /longer than 7 days/ },
    { case: "zero", input: "0m", message: /not in the past/ },
    { case: "nonsense", input: "yesterday", message: /use a duration like 30m/ },
  ])("rejects $case with a usage error", ({ input, message }) => {
    expect(() => parseWindow(input, clock)).toThrow(UsageError);
    expect(() => parseWindow(input, clock)).toThrow(message);
  });
});
