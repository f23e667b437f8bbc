import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toMessage, type ClassifyInput } from "../../src/diagnose/classify";
import { foldedText } from "../../src/diagnose/literal-index";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { matchText } from "../../src/diagnose/matcher";
import { buildPrefilter, patternNeedles } from "../../src/diagnose/prefilter";

const CORPUS = "test/fixtures/corpus";

describe("patternNeedles: literals every match must contain", () => {
  it.each([
    ["OutOfMemoryError", ["outofmemoryerror"]],
    ["(?:failed|unable) to pull", [" to pull"]],
    ["RESOURCE:CPU|insufficient CPU", ["resource:cpu", "insufficient cpu"]],
    ["manifest for \\S{1,300} not found", ["manifest for "]],
    ["exit(?:ed)? code 137", [" code 137"]],
    ["colou?r", ["colo"]],
    ["a+bc", ["bc"]],
    ["(?<code>Target\\.Timeout)", ["target.timeout"]],
  ])("%s", (pattern, needles) => {
    expect([...(patternNeedles(pattern) ?? [])].sort()).toEqual([...needles].sort());
  });

  it.each(["\\S", ".*", "(?i)x", "[abc]+", "(?:a|\\d)", "\\u0041bc"])("gives nothing it cannot vouch for: %s", (p) => {
    const needles = patternNeedles(p);
    // Either no needle, or only needles from the literal part the extractor understood.
    if (needles) for (const n of needles) expect(p.toLowerCase()).toContain(n);
  });
});

describe("the prefilter never skips a rule that matches (every corpus line, every rule)", () => {
  const playbooks = loadPlaybooks();
  const prefilter = buildPrefilter(playbooks.rules);
  const lines = readdirSync(CORPUS)
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((f) => readFileSync(join(CORPUS, f), "utf8").split("\n"))
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ClassifyInput);

  it(`${lines.length} lines`, () => {
    let skipped = 0;
    for (const input of lines) {
      const message = toMessage(input);
      const folded = foldedText(matchText(message));
      playbooks.rules.forEach((rule, index) => {
        const matches = rule.test(message) !== undefined;
        if (!prefilter.candidate(index, folded)) {
          skipped += 1;
          expect(matches, `${rule.rule.id} skipped on ${JSON.stringify(input.text)}`).toBe(false);
        }
      });
    }
    // And it does skip: most rules are never tried on most lines.
    expect(skipped).toBeGreaterThan((lines.length * playbooks.rules.length) / 2);
  });
});
