import { styleText } from "node:util";

/** Terminal styling that disappears when colour is off (not a TTY, NO_COLOR, --format json). */
export interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
}

export function createStyle(color: boolean): Style {
  const wrap = (format: Parameters<typeof styleText>[0]) => (s: string) => (color ? styleText(format, s) : s);
  return { bold: wrap("bold"), dim: wrap("dim"), red: wrap("red"), yellow: wrap("yellow"), green: wrap("green") };
}

/** Wraps `text` to `width` columns with a hanging indent; never breaks inside a word shorter than the width. */
export function wrap(text: string, width: number, indent: number): string[] {
  const room = Math.max(20, width - indent);
  const words = text.replace(/\s+/g, " ").trim().split(" ");
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
    while (line.length > room) {
      lines.push(line.slice(0, room));
      line = line.slice(room);
    }
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${" ".repeat(indent)}${l}`));
}
