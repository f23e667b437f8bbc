import { isValid, parseISO, sub, type Duration } from "date-fns";
import type { Clock } from "./clock";
import { UsageError } from "./errors";

/** The period a diagnosis looks at: `[since, until]`, ISO-8601 UTC strings in the snapshot. */
export interface TimeWindow {
  readonly since: string;
  readonly until: string;
}

const UNITS: Record<string, keyof Duration> = {
  s: "seconds",
  m: "minutes",
  h: "hours",
  d: "days",
};

/** CloudTrail's LookupEvents reaches back 90 days; a diagnosis window longer than a week is a mistake. */
const MAX_WINDOW_MS = 7 * 24 * 3600 * 1000;

/**
 * Parses `--since`: a relative duration (`30m`, `2h`, `1d`, `1h30m`) or an absolute ISO-8601 time (UTC unless it
 * carries an offset).
 *
 * @example parseWindow("2h", clock) // { since: now − 2 h, until: now }
 */
export function parseWindow(input: string, clock: Clock): TimeWindow {
  const now = clock();
  const text = input.trim();
  const since = /^\d/.test(text) && /[a-z]$/i.test(text) && !text.includes("T") ? relative(text, now) : absolute(text);
  const span = now.getTime() - since.getTime();
  if (span <= 0) throw new UsageError(`--since ${input} is not in the past`);
  if (span > MAX_WINDOW_MS) throw new UsageError(`--since ${input} is longer than 7 days; narrow the window`);
  return { since: iso(since), until: iso(now) };
}

function relative(text: string, now: Date): Date {
  const parts = [...text.matchAll(/(\d{1,6})([smhd])/gi)];
  const consumed = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || consumed.length !== text.length) {
    throw new UsageError(`--since ${text}: use a duration like 30m, 2h, 1d or 1h30m, or an ISO time`);
  }
  const duration: Duration = {};
  for (const [, amount, unit] of parts) {
    const key = UNITS[unit!.toLowerCase()]!;
    duration[key] = (duration[key] ?? 0) + Number(amount);
  }
  return sub(now, duration);
}

/** An ISO time that already says where it is: `Z`, `+02:00`, `-0500`, `+02`. */
const HAS_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * An ISO-8601 time; one without an offset (`2026-11-26T09:00`) and a bare date (`2026-11-26`) are read as UTC,
 * like every time ecs-medic prints, never as the local time of wherever it happens to run.
 */
function absolute(text: string): Date {
  const [date, time] = text.split(/[T ]/, 2);
  const utc = time === undefined ? `${date}T00:00:00Z` : HAS_OFFSET.test(time) ? text : `${text}Z`;
  const at = parseISO(utc);
  if (!isValid(at)) {
    throw new UsageError(`--since ${text}: use a duration like 30m, 2h, 1d or 1h30m, or an ISO time`);
  }
  return at;
}

/** ISO-8601 in UTC with milliseconds dropped, the form every timestamp in a snapshot takes. */
export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A window's bounds as Dates. */
export function windowDates(window: TimeWindow): { since: Date; until: Date } {
  return { since: new Date(window.since), until: new Date(window.until) };
}
