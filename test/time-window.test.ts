import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("parseWindow reads ISO times without an offset as UTC, wherever it runs", () => {
  // Run under a zone far from UTC: a parser that fell back to local time would be off by 5 hours here.
  const saved = process.env.TZ;
  beforeAll(() => {
    process.env.TZ = "America/New_York";
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it("really runs in a non-UTC zone", () => {
    expect(new Date(Date.UTC(2026, 10, 26, 9)).getTimezoneOffset()).toBe(300);
  });

  it.each([
    { case: "a time without an offset", input: "2026-11-26T07:15", since: "2026-11-26T07:15:00Z" },
    { case: "a time with seconds, without an offset", input: "2026-11-26T07:15:30", since: "2026-11-26T07:15:30Z" },
    { case: "a space instead of T", input: "2026-11-26 07:15", since: "2026-11-26T07:15:00Z" },
    { case: "a bare date (midnight UTC)", input: "2026-11-26", since: "2026-11-26T00:00:00Z" },
    { case: "an explicit Z", input: "2026-11-26T07:15Z", since: "2026-11-26T07:15:00Z" },
    { case: "an explicit offset", input: "2026-11-26T08:15+01:00", since: "2026-11-26T07:15:00Z" },
    { case: "a compact negative offset", input: "2026-11-26T02:15-0500", since: "2026-11-26T07:15:00Z" },
  ])("reads $case", ({ input, since }) => {
    expect(parseWindow(input, clock)).toEqual({ since, until: "2026-11-26T10:00:00Z" });
  });
});
