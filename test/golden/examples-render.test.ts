import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/diagnose";
import { main } from "../../src/cli/main";
import { fixedClock } from "../../src/clock";
import { diagnose } from "../../src/diagnose/diagnose";
import { loadEvidence } from "../../src/evidence/snapshot";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { diagnosisThread } from "../../src/render/slack";

/**
 * Pins what every entry point prints for the recorded examples, byte for byte: a refactor of the layers under the
 * CLI (use cases, renderers, step catalogue) must not change a character. A deliberate change of the output
 * regenerates the pins with `npx vitest run test/golden -u` and shows up in review as a diff of these files.
 */
const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();

/** The built-in playbooks, loaded once for the file: each CLI run below would otherwise parse the same YAML again. */
const PLAYBOOKS = loadPlaybooks();

function io(): CliIo & { out: string; err: string } {
  const state = { out: "", err: "" };
  return Object.assign(state, {
    deps: { playbooks: () => PLAYBOOKS },
    stdout: { write: (t: string) => (state.out += t), isTTY: false },
    stderr: { write: (t: string) => (state.err += t), isTTY: false },
    env: {},
    clock: fixedClock("2026-11-26T10:00:00Z"),
  });
}

const formats = [
  { format: "text", ext: "txt" },
  { format: "json", ext: "json" },
  { format: "slack", ext: "slack.json" },
] as const;

describe.each(formats)("golden output, --format $format", ({ format, ext }) => {
  it.each(examples)("%s", async (example) => {
    const t = io();
    const code = await main(["diagnose", "--evidence", `examples/${example}.json`, "--format", format], t);
    expect(t.err).toBe("");
    await expect(`exit ${code}\n${t.out}`).toMatchFileSnapshot(`./__golden__/${example}.${ext}`);
  });
});

describe("golden output, the Slack thread under a report", () => {
  it.each(examples)("%s", async (example) => {
    const evidence = await loadEvidence(`examples/${example}.json`);
    const diagnosis = diagnose(evidence, PLAYBOOKS);
    const thread = diagnosisThread(diagnosis, evidence, { region: evidence.target.region, evidence });
    await expect(`${JSON.stringify(thread, null, 2)}\n`).toMatchFileSnapshot(`./__golden__/${example}.thread.json`);
  });
});

describe("golden output, npm run demo", () => {
  it.each(["text", "json"])("--format %s", async (format) => {
    const t = io();
    const code = await main(["demo", "--format", format], t);
    expect(t.err).toBe("");
    await expect(`exit ${code}\n${t.out}`).toMatchFileSnapshot(
      `./__golden__/demo.${format === "text" ? "txt" : "json"}`,
    );
  });
});
