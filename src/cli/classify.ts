import type { Readable } from "node:stream";
import { classifyMessage, DEFAULT_RULE, failureWords, toMessage, type ClassifyInput } from "../diagnose/classify";
import { matchText } from "../diagnose/matcher";
import type { Playbooks } from "../diagnose/load-playbooks";
import { ExitCode } from "./exit-codes";

export interface ClassifyIo {
  readonly stdin: Readable;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Longest input line accepted; longer lines are answered with an error, not read into memory whole. */
const MAX_LINE = 1_000_000;

/** How much of an unmatched message's text an answer shows. */
const SHOWN_TEXT = 500;

export interface ClassifyOptions {
  /** Print only the answers no rule gave (`rule: "default"`). */
  readonly unmatched?: boolean;
}

/**
 * `ecs-medic classify`: JSON Lines in, JSON Lines out (DESIGN.md §5), one answer per input line in order.
 * Every answer says which rule decided it, or `"rule": "default"` when none did: the message is then `other`
 * (never `normal`), and the answer adds the text the rules saw (`text`, cut to 500 characters) and the failure
 * words in it (`failureWords`, empty when there are none) so a rule author sees what is left to cover.
 * A bad line gets an answer too (`symptom: "other"`, `rule: "default"` and an `error`), so a caller can always
 * pair lines up. With `unmatched`, only the default answers are printed.
 */
export async function runClassify(
  playbooks: Playbooks,
  io: ClassifyIo,
  options: ClassifyOptions = {},
): Promise<number> {
  let lineNo = 0;
  // Answers go out in batches (one write per ~64 KB), not one write per line.
  let batch: string[] = [];
  let batched = 0;
  for await (const lines of readLines(io.stdin))
    for (const raw of lines) {
      lineNo += 1;
      const line = raw.trim();
      if (!line) continue;
      const out = answer(line, lineNo, playbooks, io, options.unmatched === true);
      if (out === undefined) continue;
      batch.push(out);
      batched += out.length;
      if (batched >= BATCH_CHARS) {
        io.stdout.write(batch.join(""));
        batch = [];
        batched = 0;
      }
    }
  if (batch.length > 0) io.stdout.write(batch.join(""));
  return ExitCode.Ok;
}

/** Characters of answers gathered before one write. */
const BATCH_CHARS = 64 * 1024;

/**
 * The lines of a stream as readline splits them (`\r\n`, `\n` or a lone `\r` ends a line; a last line without an end
 * still counts), yielded a chunk's worth at a time (one promise per chunk, not per line).
 *
 * A stream of Buffers (stdin) is split on byte 0x0A and each line decoded alone: 0x0A never occurs inside a
 * multi-byte UTF-8 sequence, so every line is whole text, the same as decoding the input at once, and a line of
 * ASCII stays a one-byte string even when another line in its chunk is not. (A string decoder per 64 KiB chunk plus
 * joining and splitting strings cost classify several times the reading itself.)
 */
async function* readLines(input: Readable): AsyncGenerator<readonly string[]> {
  const chunks = (input as AsyncIterable<string | Buffer>)[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) return;
  const rest = { [Symbol.asyncIterator]: () => chunks };
  if (typeof first.value === "string") yield* stringLines(first.value, rest as AsyncIterable<string>);
  else yield* bufferLines(first.value, rest as AsyncIterable<Buffer>);
}

async function* bufferLines(first: Buffer, more: AsyncIterable<Buffer>): AsyncGenerator<readonly string[]> {
  // The bytes after the last "\n" so far, in pieces (a line longer than a chunk is joined once, when it ends).
  let pending: Buffer[] = [];
  const take = (chunk: Buffer): string[] | undefined => {
    let end = chunk.indexOf(NEWLINE);
    if (end < 0) {
      pending.push(chunk);
      return undefined;
    }
    const lines: string[] = [];
    let start = 0;
    if (pending.length > 0) {
      const joined = Buffer.concat([...pending, chunk.subarray(0, end)]);
      pending = [];
      addLine(lines, joined, 0, joined.length, true);
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    // A chunk without "\r" (almost all input) needs no look for lone ones.
    const cr = chunk.includes(CR, start);
    for (; end >= 0; start = end + 1, end = chunk.indexOf(NEWLINE, start)) addLine(lines, chunk, start, end, cr);
    if (start < chunk.length) pending.push(chunk.subarray(start));
    return lines;
  };
  const lines = take(first);
  if (lines) yield lines;
  for await (const chunk of more) {
    const next = take(chunk);
    if (next) yield next;
  }
  if (pending.length > 0) {
    const parts = splitLines(Buffer.concat(pending).toString("utf8"));
    // "a\r" ends its line: nothing follows it.
    if (parts[parts.length - 1] === "") parts.pop();
    yield parts;
  }
}

const NEWLINE = 0x0a;
const CR = 0x0d;

/** The line(s) in `buf[start, end)`, which "\n" ended: a "\r" before it is part of that end, one inside ends a line. */
function addLine(lines: string[], buf: Buffer, start: number, end: number, cr: boolean): void {
  if (!cr) {
    lines.push(buf.toString("utf8", start, end));
    return;
  }
  const text = buf.toString("utf8", start, end > start && buf[end - 1] === CR ? end - 1 : end);
  if (text.includes("\r")) lines.push(...text.split(LINE_END));
  else lines.push(text);
}

/** A text split at every line end; a text without "\r" (almost all input) on "\n" alone, without the regex. */
const splitLines = (text: string): string[] => (text.includes("\r") ? text.split(LINE_END) : text.split("\n"));

/** A stream of strings (a caller that set an encoding, tests): the same lines. */
async function* stringLines(first: string, more: AsyncIterable<string>): AsyncGenerator<readonly string[]> {
  let rest = "";
  let pendingCr = false;
  const take = (chunk: string): string[] => {
    let text = chunk;
    // A "\r" that ended the previous chunk already ended its line; a "\n" right after it belongs to it.
    if (pendingCr && text.startsWith("\n")) text = text.slice(1);
    pendingCr = false;
    const parts = splitLines(rest + text);
    rest = parts.pop()!;
    if (rest === "" && text.endsWith("\r")) pendingCr = true;
    return parts;
  };
  yield take(first);
  for await (const chunk of more) yield take(chunk);
  if (rest !== "") yield [rest];
}

const LINE_END = /\r\n|\r|\n/;

/**
 * The answer line (JSON and "\n") to one input line, or undefined when `unmatched` leaves it out. A rule's answer is
 * the same for every line but the id: its JSON after the id is built once per rule.
 */
function answer(
  line: string,
  lineNo: number,
  playbooks: Playbooks,
  io: ClassifyIo,
  unmatched: boolean,
): string | undefined {
  let input: ClassifyInput;
  if (line.length > MAX_LINE) return failure(null, `line ${lineNo} is longer than ${MAX_LINE} characters`, io);
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
      return failure(null, `line ${lineNo} is not a JSON object`, io);
    input = parsed as ClassifyInput;
  } catch (error) {
    return failure(null, `line ${lineNo} is not JSON: ${(error as Error).message}`, io);
  }
  const id = typeof input.id === "string" || typeof input.id === "number" ? input.id : null;
  try {
    const message = toMessage(input);
    const result = classifyMessage(message, playbooks);
    if (result.rule !== undefined) {
      if (unmatched) return undefined;
      const { symptom, cause = null, rule } = result;
      const key = `${rule}\u0000${symptom}\u0000${cause ?? "\u0001"}`;
      let tail = tails.get(key);
      if (tail === undefined) tails.set(key, (tail = `${JSON.stringify({ symptom, cause, rule }).slice(1)}\n`));
      return `{"id":${JSON.stringify(id)},${tail}`;
    }
    const text = matchText(message);
    return line_({
      id,
      symptom: result.symptom,
      cause: null,
      rule: DEFAULT_RULE,
      text: text.length > SHOWN_TEXT ? `${text.slice(0, SHOWN_TEXT)}…` : text,
      failureWords: failureWords(text),
    });
  } catch (error) {
    return failure(id, `line ${lineNo}: ${(error as Error).message}`, io);
  }
}

/** A matched answer's JSON after its id, by rule, symptom and cause. */
const tails = new Map<string, string>();

const line_ = (answer: Record<string, unknown>) => `${JSON.stringify(answer)}\n`;

function failure(id: unknown, message: string, io: ClassifyIo): string {
  io.stderr.write(`ecs-medic classify: ${message}\n`);
  return line_({ id, symptom: "other", cause: null, rule: DEFAULT_RULE, error: message });
}
