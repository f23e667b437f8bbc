import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { classifyMessage, toMessage, type ClassifyInput } from "../diagnose/classify";
import type { Playbooks } from "../diagnose/load-playbooks";
import { ExitCode } from "./exit-codes";

export interface ClassifyIo {
  readonly stdin: Readable;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Longest input line accepted; longer lines are answered with an error, not read into memory whole. */
const MAX_LINE = 1_000_000;

/**
 * `ecs-medic classify`: JSON Lines in, JSON Lines out (DESIGN.md §5), one answer per input line in order.
 * A bad line gets an answer too (`symptom: "other"` with an `error`), so a caller can always pair lines up.
 */
export async function runClassify(playbooks: Playbooks, io: ClassifyIo): Promise<number> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo += 1;
    const line = raw.trim();
    if (!line) continue;
    io.stdout.write(`${JSON.stringify(answer(line, lineNo, playbooks, io))}\n`);
  }
  return ExitCode.Ok;
}

function answer(line: string, lineNo: number, playbooks: Playbooks, io: ClassifyIo): Record<string, unknown> {
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
    const result = classifyMessage(toMessage(input), playbooks);
    return { id, symptom: result.symptom, cause: result.cause ?? null, rule: result.rule ?? null };
  } catch (error) {
    return failure(id, `line ${lineNo}: ${(error as Error).message}`, io);
  }
}

function failure(id: unknown, message: string, io: ClassifyIo): Record<string, unknown> {
  io.stderr.write(`ecs-medic classify: ${message}\n`);
  return { id, symptom: "other", cause: null, rule: null, error: message };
}
