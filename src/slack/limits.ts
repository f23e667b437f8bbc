import type { types } from "@slack/bolt";

/**
 * Slack's Block Kit limits, the checker for them, and `enforceLimits`, which makes any message fit: long text is cut
 * with a visible marker and the full text handed back as `overflow` for the thread. Slack rejects a message that
 * breaks one of these limits (`invalid_blocks`) — the whole report would be lost, not just the long part.
 * Lengths are counted in Unicode code points, as Slack does.
 */

export type KnownBlock = types.KnownBlock;
type Button = types.Button;
type ConfirmationDialog = types.ConfirmationDialog;
type ContextBlockElement = types.ContextBlockElement;
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

function slice(text: string, max: number): string {
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

// ── enforcement ─────────────────────────────────────────────────────────────────────────────────

/**
 * Makes `message` fit every limit in SLACK_LIMITS; never throws. Text cut from sections, fields and context goes
 * to `overflow` in full (mrkdwn, each entry ≤ OVERFLOW_CHUNK characters) for the caller to post in the thread;
 * blocks past the 50th are dropped the same way, keeping the header and the buttons. A button whose `value` is
 * too long cannot do its job, so it is left out and said so. Idempotent: a message that fits comes back as is,
 * with no overflow.
 */
export function enforceLimits(message: SlackMessage): { message: SlackMessage; overflow: string[] } {
  const L = SLACK_LIMITS;
  const overflow: string[] = [];
  const moved = (full: string) => overflow.push(...chunkMrkdwn(full));
  const blocks: KnownBlock[] = [];

  for (const block of message.blocks) {
    switch (block.type) {
      case "header": {
        const t = nonEmpty(block.text.text);
        if (textLength(t) > L.headerText) moved(`*${escapeForOverflow(t)}*`);
        blocks.push({ ...block, text: { type: "plain_text", text: cutPlain(t, L.headerText), emoji: true } });
        break;
      }
      case "section": {
        const next = { ...block };
        if (block.text) next.text = fitText(block.text, L.sectionText, moved);
        if (block.fields) {
          const fields = block.fields.map((f) => fitText(f, L.fieldText, moved));
          if (fields.length > L.fields) {
            moved(
              fields
                .slice(L.fields - 1)
                .map((f) => f.text)
                .join("\n"),
            );
            fields.splice(L.fields - 1, fields.length, { type: "mrkdwn", text: CUT_MARKER });
          }
          next.fields = fields;
        }
        if (!next.text && !next.fields?.length) next.text = { type: "mrkdwn", text: "–" };
        blocks.push(next);
        break;
      }
      case "context": {
        let elements: ContextBlockElement[] = block.elements.map((e) =>
          e.type === "plain_text" || e.type === "mrkdwn" ? fitText(e, L.contextText, moved) : e,
        );
        if (elements.length > L.contextElements) {
          // Merge the tail into the last allowed element rather than lose it.
          const tail = elements
            .slice(L.contextElements - 1)
            .flatMap((e) =>
              e.type === "mrkdwn" ? [e.text] : e.type === "plain_text" ? [escapeForOverflow(e.text)] : [],
            );
          elements = [
            ...elements.slice(0, L.contextElements - 1),
            fitText({ type: "mrkdwn", text: tail.join(" · ") || "…" }, L.contextText, moved),
          ];
        }
        if (elements.length === 0) elements = [{ type: "mrkdwn", text: "–" }];
        blocks.push({ ...block, elements });
        break;
      }
      case "actions": {
        const elements = block.elements.flatMap((e): types.ActionsBlockElement[] => {
          if (e.type !== "button") return [e];
          const fitted = fitButton(e);
          if (!fitted) {
            moved(
              `_The "${escapeForOverflow(e.text.text)}" button was left out: its payload is longer than Slack allows (${L.buttonValue} characters)._`,
            );
            return [];
          }
          return [fitted];
        });
        for (let i = 0; i < elements.length; i += L.actionsElements) {
          const part = elements.slice(i, i + L.actionsElements);
          const blockId =
            i === 0 ? block.block_id : block.block_id ? `${block.block_id}-${i / L.actionsElements + 1}` : undefined;
          blocks.push({ ...block, ...(blockId !== undefined ? { block_id: blockId } : {}), elements: part });
        }
        break;
      }
      default:
        blocks.push(block);
    }
  }

  uniqueIds(blocks);
  const fitted = fitBlockCount(blocks, moved);
  const text = cutPlain(nonEmpty(message.text), L.messageText);
  return { message: { text, blocks: fitted }, overflow };
}

function nonEmpty(text: string): string {
  return text.trim() === "" ? "–" : text;
}

function fitText<T extends TextObject>(t: T, max: number, moved: (full: string) => void): T {
  const value = nonEmpty(t.text);
  if (textLength(value) <= max) return value === t.text ? t : { ...t, text: value };
  if (t.type === "plain_text") {
    moved(escapeForOverflow(value));
    return { ...t, text: cutPlain(value, max) };
  }
  moved(value);
  return { ...t, text: cutMrkdwn(value, max) };
}

function fitButton(button: Button): Button | undefined {
  const L = SLACK_LIMITS;
  if (button.value !== undefined && textLength(button.value) > L.buttonValue) return undefined;
  if (button.url !== undefined && textLength(button.url) > L.buttonUrl) return undefined;
  const next: Button = {
    ...button,
    text: { ...button.text, type: "plain_text", text: cutPlain(nonEmpty(button.text.text), L.buttonText) },
  };
  if (button.action_id !== undefined) next.action_id = slice(button.action_id, L.actionId);
  if (button.confirm) next.confirm = fitConfirm(button.confirm);
  return next;
}

function fitConfirm(c: ConfirmationDialog): ConfirmationDialog {
  const L = SLACK_LIMITS;
  const plain = (t: types.PlainTextElement, max: number): types.PlainTextElement => ({
    ...t,
    text: cutPlain(nonEmpty(t.text), max),
  });
  const body =
    c.text.type === "plain_text"
      ? plain(c.text, L.confirmText)
      : { ...c.text, text: cutMrkdwn(nonEmpty(c.text.text), L.confirmText, "…") };
  return {
    ...c,
    ...(c.title ? { title: plain(c.title, L.confirmTitle) } : {}),
    text: body,
    ...(c.confirm ? { confirm: plain(c.confirm, L.confirmButton) } : {}),
    ...(c.deny ? { deny: plain(c.deny, L.confirmButton) } : {}),
  };
}

/** Slack rejects duplicate block_ids and action_ids in one message; later ones get a numeric suffix. */
function uniqueIds(blocks: KnownBlock[]): void {
  const seenBlocks = new Set<string>();
  const seenActions = new Set<string>();
  const unique = (id: string, seen: Set<string>) => {
    let candidate = slice(id, SLACK_LIMITS.blockId);
    for (let n = 2; seen.has(candidate); n++) candidate = `${slice(id, SLACK_LIMITS.blockId - 6)}-${n}`;
    seen.add(candidate);
    return candidate;
  };
  blocks.forEach((block, i) => {
    if ("block_id" in block && block.block_id !== undefined)
      blocks[i] = { ...block, block_id: unique(block.block_id, seenBlocks) };
    const current = blocks[i]!;
    if (current.type === "actions") {
      current.elements = current.elements.map((e): types.ActionsBlockElement =>
        "action_id" in e && e.action_id !== undefined ? { ...e, action_id: unique(e.action_id, seenActions) } : e,
      );
    }
  });
}

/**
 * Keeps at most 50 blocks. Drops from the end, sparing the header and the actions (what the reader must see and
 * can do), and puts one context block saying so where the first dropped block was.
 */
function fitBlockCount(blocks: KnownBlock[], moved: (full: string) => void): KnownBlock[] {
  const max = SLACK_LIMITS.blocks;
  if (blocks.length <= max) return blocks;
  const excess = blocks.length - (max - 1);
  const protectedBlock = (b: KnownBlock) => b.type === "header" || b.type === "actions";
  const order = [...blocks.keys()].reverse();
  const dropOrder = [
    ...order.filter((i) => !protectedBlock(blocks[i]!)),
    ...order.filter((i) => protectedBlock(blocks[i]!)),
  ];
  const drop = new Set(dropOrder.slice(0, excess));
  const firstDropped = Math.min(...drop);
  const kept: KnownBlock[] = [];
  const dropped: string[] = [];
  blocks.forEach((b, i) => {
    if (i === firstDropped)
      kept.push({
        type: "context",
        block_id: "cut",
        elements: [{ type: "mrkdwn", text: `_… ${drop.size} more block(s) cut, full text in the thread_` }],
      });
    if (drop.has(i)) dropped.push(blockText(b));
    else kept.push(b);
  });
  const text = dropped.filter((t) => t.trim() !== "").join("\n\n");
  if (text) moved(text);
  return kept;
}

/** The readable text of a block, as mrkdwn. */
export function blockText(block: KnownBlock): string {
  switch (block.type) {
    case "header":
      return `*${escapeForOverflow(block.text.text)}*`;
    case "section":
      return [block.text?.text, ...(block.fields ?? []).map((f) => f.text)]
        .filter((t): t is string => Boolean(t))
        .join("\n");
    case "context":
      return block.elements
        .flatMap((e) => (e.type === "mrkdwn" ? [e.text] : e.type === "plain_text" ? [escapeForOverflow(e.text)] : []))
        .join(" · ");
    case "actions":
      return block.elements
        .flatMap((e) => (e.type === "button" ? [`[${escapeForOverflow(e.text.text)}]`] : []))
        .join(" ");
    default:
      return "";
  }
}

/** plain_text moved into mrkdwn overflow must not turn into markup. */
function escapeForOverflow(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
