import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runClassify } from "../../src/cli/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";

/**
 * `classify`'s answers on the regression corpora, byte for byte, pinned in __pinned__/classify-corpora.jsonl (issue
 * 12: the fast matcher must answer exactly as the one before it). Every corpus line is classified as written and in
 * three variants that take the other paths of the matcher: upper-cased (case folding), wrapped in an ANSI colour
 * code and CRLF (normalisation, the non-ASCII path), and with curly quotes and a zero-width space.
 *
 * A deliberate change of what `classify` answers (a new rule, a rule edit) updates the pin with
 * `npx vitest run test/diagnose/classify-identity.test.ts -u`; read the diff: only the lines the change meant to
 * move may move.
 */

const CORPUS = "test/fixtures/corpus";

interface CorpusLine {
  readonly id: string;
  readonly field: string;
  readonly text: string;
  readonly extra?: unknown;
}

function corpusInput(): string[] {
  const lines = readdirSync(CORPUS)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) => readFileSync(join(CORPUS, f), "utf8").split("\n"))
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as CorpusLine);
  const variants: Array<[string, (text: string) => string]> = [
    ["", (t) => t],
    [".upper", (t) => t.toUpperCase()],
    [".ansi", (t) => `\u001b[31m${t.replace(/ /, "\r\n")}\u001b[0m`],
    [".quotes", (t) => t.replace(/'/g, "\u2019").replace(/"/g, "\u201c").replace(/ /, " \u200b")],
  ];
  return variants.flatMap(([suffix, change]) =>
    lines.map((l) => JSON.stringify({ id: `${l.id}${suffix}`, field: l.field, text: change(l.text), extra: l.extra })),
  );
}

describe("classify answers on the corpora are pinned", () => {
  it("answers every corpus line (and its variants) exactly as pinned", async () => {
    const input = corpusInput();
    let out = "";
    await runClassify(loadPlaybooks(), {
      // Chunks of an odd size: lines split across reads take the same path as whole ones.
      stdin: Readable.from(input.join("\n").match(/[\s\S]{1,4093}/g) ?? []),
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
    });
    expect(out.split("\n").filter(Boolean)).toHaveLength(input.length);
    await expect(out).toMatchFileSnapshot("__pinned__/classify-corpora.jsonl");
  });
});
