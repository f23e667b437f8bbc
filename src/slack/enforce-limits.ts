import type { types } from "@slack/bolt";
import {
  chunkMrkdwn,
  CUT_MARKER,
  cutMrkdwn,
  cutPlain,
  SLACK_LIMITS,
  slice,
  textLength,
  type KnownBlock,
  type SlackMessage,
} from "./limits";

type Button = types.Button;
type ConfirmationDialog = types.ConfirmationDialog;
type ContextBlockElement = types.ContextBlockElement;
type TextObject = types.PlainTextElement | types.MrkdwnElement;

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
