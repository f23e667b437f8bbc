import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES_DIR, checkScenario, readmeText, recordScenario } from "../../scripts/examples/record";
import { SCENARIOS } from "../../scripts/examples/scenarios";
import { parseEvidence } from "../../src/evidence/snapshot";

const REGENERATE = "re-record with: npx tsx scripts/examples/record.ts";
const files = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const scenarios = SCENARIOS.map((s) => [s.name, s] as const);

/** Where two texts first differ, as a short message (the files are ~100 KB: a full diff helps nobody). */
function firstDifference(actual: string, expected: string): string | undefined {
  if (actual === expected) return undefined;
  const a = actual.split("\n");
  const e = expected.split("\n");
  const line = a.findIndex((text, i) => text !== e[i]);
  const at = line < 0 ? Math.min(a.length, e.length) : line;
  return `first difference at line ${at + 1}:\n  recorded:  ${a[at] ?? "(end of file)"}\n  committed: ${e[at] ?? "(end of file)"}\n${REGENERATE}`;
}

describe("examples/ (recorded incident snapshots for the demo)", () => {
  it("holds exactly one snapshot per scenario", () => {
    expect(files, REGENERATE).toEqual(SCENARIOS.map((s) => `${s.name}.json`).sort());
  });

  it.each(files)("%s parses as an evidence snapshot, with every step collected", (file) => {
    const evidence = parseEvidence(readFileSync(join(EXAMPLES_DIR, file), "utf8"), file);
    expect(evidence.steps.filter((s) => s.status === "error").map((s) => s.id)).toEqual([]);
    expect(evidence.contextErrors).toEqual([]);
    expect(`${evidence.target.service}@${evidence.collectedAt}`).toBe(
      `payment-api@${SCENARIOS.find((s) => `${s.name}.json` === file)?.clock}`,
    );
  });

  it.each(scenarios)("%s: the scenario agrees with itself across APIs", (_name, scenario) => {
    expect(checkScenario(scenario)).toEqual([]);
  });

  it.each(scenarios)("%s: re-recording reproduces the committed file byte for byte", async (name, scenario) => {
    const committed = readFileSync(join(EXAMPLES_DIR, `${name}.json`), "utf8");
    const recorded = await recordScenario(scenario);
    const difference = firstDifference(recorded, committed);
    expect(difference, difference).toBeUndefined();
  });

  it("README lists every example with its incident and primary finding", () => {
    const readme = readFileSync(join(EXAMPLES_DIR, "README.md"), "utf8");
    expect(firstDifference(readme, readmeText())).toBeUndefined();
    for (const s of SCENARIOS) expect(readme).toContain(`| [${s.name}](${s.name}.json) |`);
  });
});
