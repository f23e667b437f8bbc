import { formatDistanceStrict } from "date-fns";
import type { Diagnosis } from "../../diagnose/types";
import type { Evidence } from "../../evidence/schema";
import { stepData } from "../../evidence/read";
import { cutPlain } from "../../slack/limits";
import { type ContextBlock, type MrkdwnElement, type SectionBlock } from "./common";

// ── mrkdwn helpers ──────────────────────────────────────────────────────────────────────────────

/** Escapes the three characters Slack treats as markup; everything from AWS or the logs goes through here. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Escaped text for reading. ARNs become inline code (copyable, and `…:secret:prod/…` must not turn into the
 * :secret: emoji); any other `:word:` is broken with a zero-width space so AWS text cannot draw emoji.
 */
export function prose(text: string): string {
  return text
    .split(/(arn:aws[a-z-]*:[^\s,;()"'`<>]*[^\s,;()"'`<>.])/g)
    .map((part, i) =>
      i % 2 === 1 ? code(part) : escapeMrkdwn(part).replace(/:([a-z0-9_+-]*[a-z][a-z0-9_+-]*):/gi, ":\u200b$1:"),
    )
    .join("");
}

/** Inline code. A backtick inside would end it early, so it becomes a look-alike. */
export function code(text: string): string {
  const body = escapeMrkdwn(text)
    .replace(/`/g, "ˋ")
    .replace(/\s*\n\s*/g, " ")
    .trim();
  return body ? `\`${body}\`` : "";
}

/** A code block; a ``` inside the text would end it, so it is broken up with zero-width spaces. */
export function codeBlock(text: string): string {
  const body = escapeMrkdwn(text).replace(/```/g, "`\u200b`\u200b`");
  return `\`\`\`${body.trim() === "" ? " " : body}\`\`\``;
}

export function link(url: string, label: string): string {
  return `<${url.replace(/[|>\s]/g, encodeURIComponent)}|${escapeMrkdwn(label).replace(/\|/g, "¦")}>`;
}

export function mention(user: string | undefined): string | undefined {
  if (!user) return undefined;
  return /^[UW][A-Z0-9]{2,30}$/.test(user) ? `<@${user}>` : escapeMrkdwn(user);
}

export function clip(text: string, max: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  const cut = cutPlain(oneLine, max);
  if (cut === oneLine) return cut;
  // Quotes end at a word, never inside one: back up to the last space, or the last "/" or ":" of an ARN or path,
  // when one is in the last 40 % of what was kept ("…from asm…", not "…from a…").
  const kept = cut.slice(0, -1);
  if (/[\s/:,;]$/.test(kept) || /^[\s/:,;]/.test(oneLine.slice(kept.length))) return cut;
  const boundary = Math.max(kept.lastIndexOf(" "), kept.lastIndexOf("/"), kept.lastIndexOf(":"));
  return boundary >= kept.length * 0.6 ? `${kept.slice(0, boundary + (kept[boundary] === " " ? 0 : 1))}…` : cut;
}

export function mrkdwn(text: string): MrkdwnElement {
  return { type: "mrkdwn", text };
}

export function section(text: string, blockId?: string): SectionBlock {
  return { type: "section", ...(blockId ? { block_id: blockId } : {}), text: mrkdwn(text) };
}

export function context(elements: readonly string[], blockId?: string): ContextBlock {
  return {
    type: "context",
    ...(blockId ? { block_id: blockId } : {}),
    elements: elements.filter((e) => e.trim() !== "").map(mrkdwn),
  };
}

/**
 * A Slack date token: the reader's client shows the time in their own zone; `fallback` (UTC) is for clients that
 * cannot. `{time}` alone for times within the incident, with the date where the day matters.
 */
export function slackTime(iso: string | undefined, withDate = false): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeMrkdwn(iso);
  const fallback = `${withDate ? `${iso.slice(0, 10)} ` : ""}${iso.slice(11, 16)} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${withDate ? "{date_short_pretty} {time}" : "{time}"}|${fallback}>`;
}

/** "10 min" between two ISO times (relative to the diagnosis, so the text stays true as the message ages). */
export function span(fromIso: string, toIso: string): string {
  return formatDistanceStrict(new Date(fromIso), new Date(toIso))
    .replace(/ seconds?$/, " s")
    .replace(/ minutes?$/, " min")
    .replace(/ hours?$/, " h")
    .replace(/ days?$/, " d");
}

/** `--since` text for a window, as the slash command takes it: 60 min → "1h", 90 min → "1h30m". */
export function sinceText(window: Diagnosis["window"]): string {
  const minutes = Math.max(1, Math.round((Date.parse(window.until) - Date.parse(window.since)) / 60_000));
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}`;
}

export function shortTask(arn: string): string {
  return (arn.split("/").pop() ?? arn).slice(0, 8);
}

// ── links ───────────────────────────────────────────────────────────────────────────────────────

/** The service's health page in the ECS console (v2). */
export function ecsConsoleUrl(region: string, cluster: string, service: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/health?region=${r}`;
}

/**
 * A CloudWatch Logs console link. The console reads the fragment with `$` in place of `%`, after encoding twice:
 * `/ecs/payment-api` → `$252Fecs$252Fpayment-api`.
 */
export function logStreamUrl(region: string, group: string, stream?: string): string {
  const enc = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, "$");
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#logsV2:log-groups/log-group/${enc(group)}${stream ? `/log-events/${enc(stream)}` : ""}`;
}

export interface LogIndex {
  /** Log group of a stream name, when the snapshot read it. */
  readonly groupOf: (stream: string) => { group: string; region: string } | undefined;
}

export function logIndex(evidence: Evidence | undefined, region: string): LogIndex {
  const groups = new Map<string, { group: string; region: string }>();
  const logs = evidence ? stepData(evidence, "task-logs") : undefined;
  for (const s of logs?.streams ?? []) groups.set(s.logStream, { group: s.logGroup, region: s.region ?? region });
  for (const search of logs?.patternSearches ?? []) {
    for (const m of search.matches)
      if (!groups.has(m.logStream)) groups.set(m.logStream, { group: search.logGroup, region });
  }
  return { groupOf: (stream) => groups.get(stream) };
}
