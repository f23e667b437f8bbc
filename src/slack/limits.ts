import type { types } from "@slack/bolt";

/**
 * Slack's Block Kit limits, the checker for them, and `enforceLimits`, which makes any message fit: long text is cut
 * with a visible marker and the full text handed back as `overflow` for the thread. Slack rejects a message that
 * breaks one of these limits (`invalid_blocks`) — the whole report would be lost, not just the long part.
 * Lengths are counted in Unicode code points, as Slack does.
 */

export type KnownBlock = types.KnownBlock;
type ConfirmationDialog = types.ConfirmationDialog;
type TextObject = types.PlainTextElement | types.MrkdwnElement;

/** What every builder returns: a `chat.postMessage` / `chat.update` payload without the channel. */
export interface SlackMessage {
  /** The notification and screen-reader summary; short. */
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  messageText: 40_000,
} as const;

/** Appended where text was cut; the caller posts the full text in the thread. */
export const CUT_MARKER = "_… cut, full text in the thread_";
/** Overflow entries are at most this long, so each fits one section (the caller may post them as such). */
export const OVERFLOW_CHUNK = 2900;

/** Length in code points (an emoji counts once, as in Slack). */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function slice(text: string, max: number): string {
  if (text.length <= max) return text; // UTF-16 length ≥ code points: nothing to cut
  return Array.from(text).slice(0, max).join("");
}

/** Plain text cut to `max` code points with "…". */
export function cutPlain(text: string, max: number): string {
  if (textLength(text) <= max) return text;
  const kept = slice(text, max - 1);
  // End at a word when one ends near the limit: "latency ×7.1 …" rather than "latency ×7.1 (r…".
  const space = kept.lastIndexOf(" ");
  return `${(space >= kept.length - 16 && space > 0 ? kept.slice(0, space) : kept).replace(/[\s;,:·—-]+$/, "")}…`;
}

/**
 * mrkdwn cut to `max` code points with `marker` on its own line: ends at a line break when one is near, never
 * inside a `<…>` link or mention or an `&amp;` entity, and closes a code block left open.
 */
export function cutMrkdwn(text: string, max: number, marker: string = CUT_MARKER): string {
  if (textLength(text) <= max) return text;
  const tail = `\n${marker}`;
  let kept = slice(text, Math.max(0, max - textLength(tail) - 3));
  const newline = kept.lastIndexOf("\n");
  if (newline > kept.length * 0.7) kept = kept.slice(0, newline);
  const open = kept.lastIndexOf("<");
  if (open > kept.lastIndexOf(">")) kept = kept.slice(0, open);
  kept = kept.replace(/&[#a-z0-9]{0,6}$/i, "");
  if ((kept.match(/```/g)?.length ?? 0) % 2 === 1) kept += "```";
  return `${kept}${tail}`;
}

/**
 * Splits mrkdwn into pieces of at most `max` code points, at line breaks where possible; a code block split
 * across pieces is closed and reopened so every piece renders on its own.
 */
export function chunkMrkdwn(text: string, max: number = OVERFLOW_CHUNK): string[] {
  const room = max - 6; // for a code fence closed at the end and reopened at the start
  const lines = text.split("\n").flatMap((line) => splitHard(line, room));
  const chunks: string[] = [];
  let buffer: string[] = [];
  let size = 0;
  let inCode = false;
  let startsInCode = false;
  const flush = () => {
    const body = `${startsInCode ? "```" : ""}${buffer.join("\n")}${inCode ? "```" : ""}`;
    if (buffer.join("").trim() !== "") chunks.push(body);
    buffer = [];
    size = 0;
    startsInCode = inCode;
  };
  for (const line of lines) {
    const add = textLength(line) + (buffer.length > 0 ? 1 : 0);
    if (buffer.length > 0 && size + add > room) flush();
    size += textLength(line) + (buffer.length > 0 ? 1 : 0);
    buffer.push(line);
    if ((line.match(/```/g)?.length ?? 0) % 2 === 1) inCode = !inCode;
  }
  if (buffer.length > 0) flush();
  return chunks;
}

function splitHard(line: string, room: number): string[] {
  if (textLength(line) <= room) return [line];
  const points = Array.from(line);
  const parts: string[] = [];
  for (let i = 0; i < points.length; i += room) parts.push(points.slice(i, i + room).join(""));
  return parts;
}

// ── checker ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Every way `message` would be rejected or mangled by Slack, as readable strings (`blocks[3] section.text: 3107
 * characters (max 3000)`); empty when it is fine. Mirrors the preview tool's `lib/limits.js` for the blocks this
 * bot uses.
 */
export function violations(message: SlackMessage): string[] {
  const out: string[] = [];
  const actionIds = new Set<string>();
  const blockIds = new Set<string>();
  const L = SLACK_LIMITS;
  const text = (where: string, t: TextObject | undefined, max: number, plainOnly = false) => {
    if (!t) return out.push(`${where}: text is missing`);
    if (plainOnly && t.type !== "plain_text") out.push(`${where}: must be plain_text`);
    if (t.text.trim() === "") out.push(`${where}: empty text`);
    const n = textLength(t.text);
    if (n > max) out.push(`${where}: ${n} characters (max ${max})`);
    return undefined;
  };
  const id = (where: string, kind: string, value: string | undefined, seen: Set<string>, max: number) => {
    if (value === undefined) return;
    if (textLength(value) > max) out.push(`${where}: ${kind} is ${textLength(value)} characters (max ${max})`);
    if (seen.has(value)) out.push(`${where}: duplicate ${kind} "${value}"`);
    seen.add(value);
  };
  const confirm = (where: string, c: ConfirmationDialog | undefined) => {
    if (!c) return;
    text(`${where}.confirm.title`, c.title, L.confirmTitle, true);
    text(`${where}.confirm.text`, c.text, L.confirmText);
    if (c.confirm) text(`${where}.confirm.confirm`, c.confirm, L.confirmButton, true);
    if (c.deny) text(`${where}.confirm.deny`, c.deny, L.confirmButton, true);
  };

  if (textLength(message.text) > L.messageText)
    out.push(`text: ${textLength(message.text)} characters (max ${L.messageText})`);
  if (message.text.trim() === "") out.push("text: empty (notifications would have no summary)");
  if (message.blocks.length > L.blocks) out.push(`blocks: ${message.blocks.length} (max ${L.blocks})`);
  message.blocks.forEach((block, i) => {
    const where = `blocks[${i}] ${block.type}`;
    if ("block_id" in block) id(where, "block_id", block.block_id, blockIds, L.blockId);
    switch (block.type) {
      case "header":
        text(`${where}.text`, block.text, L.headerText, true);
        break;
      case "section":
        if (!block.text && !block.fields?.length) out.push(`${where}: needs text or fields`);
        if (block.text) text(`${where}.text`, block.text, L.sectionText);
        if (block.fields) {
          if (block.fields.length > L.fields) out.push(`${where}: ${block.fields.length} fields (max ${L.fields})`);
          block.fields.forEach((f, j) => text(`${where}.fields[${j}]`, f, L.fieldText));
        }
        break;
      case "context":
        if (block.elements.length === 0 || block.elements.length > L.contextElements) {
          out.push(`${where}: ${block.elements.length} elements (1 to ${L.contextElements})`);
        }
        block.elements.forEach((e, j) => {
          if (e.type === "plain_text" || e.type === "mrkdwn") text(`${where}.elements[${j}]`, e, L.contextText);
        });
        break;
      case "actions":
        if (block.elements.length === 0 || block.elements.length > L.actionsElements) {
          out.push(`${where}: ${block.elements.length} elements (1 to ${L.actionsElements})`);
        }
        block.elements.forEach((e, j) => {
          const w = `${where}.elements[${j}]`;
          if ("action_id" in e) id(w, "action_id", e.action_id, actionIds, L.actionId);
          if (e.type !== "button") return;
          text(`${w}.text`, e.text, L.buttonText, true);
          if (e.value !== undefined && textLength(e.value) > L.buttonValue)
            out.push(`${w}: value is ${textLength(e.value)} characters (max ${L.buttonValue})`);
          if (e.url !== undefined && textLength(e.url) > L.buttonUrl)
            out.push(`${w}: url is ${textLength(e.url)} characters (max ${L.buttonUrl})`);
          confirm(w, e.confirm);
        });
        break;
      case "divider":
        break;
      default:
        out.push(`${where}: block type not checked by ecs-medic`);
    }
  });
  return out;
}

// The enforcement lives beside the checker: one import for callers.
export { blockText, enforceLimits } from "./enforce-limits";
