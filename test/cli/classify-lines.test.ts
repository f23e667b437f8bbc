import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runClassify } from "../../src/cli/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";

/**
 * `classify` reads stdin as Buffers, split on byte 0x0A and decoded line by line (issue 12). Whatever the chunk
 * boundaries — inside a multi-byte character, between "\r" and "\n" — the lines, their numbers and so the answers are
 * those of the whole input decoded at once and split as readline does.
 */

const playbooks = loadPlaybooks();

async function classify(stdin: Readable): Promise<{ out: string; err: string }> {
  let out = "";
  let err = "";
  await runClassify(playbooks, {
    stdin,
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
  });
  return { out, err };
}

/** The bytes cut every `size` bytes, as a pipe might deliver them. */
const buffers = (bytes: Buffer, size: number): Readable => {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks, { objectMode: true });
};

const line = (id: string, field: string, text: string) => JSON.stringify({ id, field, text });

// Real wordings: the ECS developer guide's stopped-task and service-event messages, a Java OOM, a Node DNS failure.
// Non-ASCII bytes raw in the JSON (an em dash, an accented word, an emoji), every kind of line end, lines that are not
// JSON (their error names the line number), an empty line, a last line without an end.
const MIXED = [
  line("oom", "container.reason", "OutOfMemoryError: Container killed due to memory usage"),
  "\r\n",
  line("pull", "stoppedReason", "CannotPullContainerError: pull image manifest has been retried 5 time(s) — ref"),
  "\r",
  line("accent", "log_line", "Erreur: connexion refusée (ECONNREFUSED) 🚨"),
  "\n",
  "not json ✗",
  "\r",
  "\r",
  line("steady", "service_event_message", "service payment-api has reached a steady state."),
  "\r\n",
  "{broken",
  "\n",
  line("dns", "log_line", "Error: getaddrinfo ENOTFOUND payment-db.internal"),
].join("");

describe("classify reads stdin as Buffers", () => {
  it("answers as for the whole input as one string, at every chunk size", async () => {
    const expected = await classify(Readable.from([MIXED]));
    // Eight lines, the fifth empty (no answer).
    expect(expected.out.split("\n").filter(Boolean)).toHaveLength(7);
    expect(expected.err).toContain("line 4 is not JSON");
    expect(expected.err).toContain("line 7 is not JSON");
    const bytes = Buffer.from(MIXED, "utf8");
    for (const size of [1, 2, 3, 5, 7, 16, 61, 128, bytes.length]) {
      const got = await classify(buffers(bytes, size));
      expect(got, `chunks of ${size} bytes`).toEqual(expected);
    }
  });

  it.each([
    ["a trailing line end", "\n"],
    ["a trailing CRLF", "\r\n"],
    ["a trailing lone CR", "\r"],
    ["two trailing lone CRs", "\r\r"],
  ])("counts lines after %s as readline does", async (_, end) => {
    const input = `nope${end}`;
    const expected = await classify(Readable.from([input]));
    for (const size of [1, 2, 3])
      expect(await classify(buffers(Buffer.from(input), size)), `chunks of ${size}`).toEqual(expected);
  });

  it("gives the pinned answers for the corpora read as Buffers in odd-sized chunks", async () => {
    const corpus = "test/fixtures/corpus";
    const lines = readdirSync(corpus)
      .filter((f) => f.endsWith(".jsonl"))
      .sort()
      .flatMap((f) => readFileSync(join(corpus, f), "utf8").split("\n"))
      .filter((l) => l.trim());
    // The identity test's input, without its variants: the pin's first lines answer the corpus as written.
    const input = lines.map((l) => {
      const { id, field, text, extra } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify({ id, field, text, extra });
    });
    const pinned = readFileSync("test/diagnose/__pinned__/classify-corpora.jsonl", "utf8").split("\n");
    const { out } = await classify(buffers(Buffer.from(`${input.join("\n")}\n`), 4093));
    expect(out.split("\n").filter(Boolean)).toEqual(pinned.slice(0, input.length));
  });
});
