import { differenceInSeconds } from "date-fns";

/** Markdown and time formatting shared by the export's timeline: UTC instants, offsets, escaped cells. */

// ── formatting ──────────────────────────────────────────────────────────────────────────────────────

/** `2026-11-26 09:12:03Z` for any ISO input, whatever its offset. */
export function utc(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** `T−1h 05m`, `T+0`, `T+42s` relative to `origin`. */
export function offset(iso: string, origin: string): string {
  const seconds = differenceInSeconds(new Date(iso), new Date(origin));
  if (!Number.isFinite(seconds)) return "";
  if (seconds === 0) return "T+0";
  return `T${seconds < 0 ? "−" : "+"}${span(Math.abs(seconds))}`;
}

export function duration(from: string, to: string): string {
  return span(Math.max(0, differenceInSeconds(new Date(to), new Date(from))));
}

export function span(total: number): string {
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return s ? `${m}m ${String(s).padStart(2, "0")}s` : `${m}m`;
  return `${s}s`;
}

/** The last path segment of an ARN (`payment-api:42`, a task id), or the text itself. */
export function short(value: string | undefined): string {
  if (!value) return "?";
  return value.startsWith("arn:") ? (value.split("/").pop() ?? value) : value;
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Text safe in running Markdown: no HTML, no accidental emphasis from `*` or `_` in AWS messages. */
export function md(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/([*_`\\[\]])/g, "\\$1");
}

/** A table cell: Markdown-safe, no pipe, one line. Keeps `**` and `_…_` the entry builders add on purpose. */
export function cell(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/\|/g, "\\|")
    .replace(/`/g, "'");
}

export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
