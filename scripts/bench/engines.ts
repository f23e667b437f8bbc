/**
 * Raw engine cost: every built-in playbook pattern tested against every corpus text (as the matcher sees it), with
 * JavaScript's RegExp, re2js (what the matcher uses) and, when `RE2_WASM` names an installed re2-wasm package
 * folder, re2-wasm. Not part of `npm test`. Run: `npx tsx scripts/bench/engines.ts`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { RE2JS } from "re2js";
import { toMessage, type ClassifyInput } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { matchText } from "../../src/diagnose/matcher";
import { compilePattern } from "../../src/diagnose/pattern";

const texts = ["task-messages.jsonl", "service-messages.jsonl", "holdout.jsonl"].flatMap((file) =>
  readFileSync(fileURLToPath(new URL(`../../test/fixtures/corpus/${file}`, import.meta.url)), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => matchText(toMessage(JSON.parse(l) as ClassifyInput))),
);
const patterns = loadPlaybooks().rules.flatMap(({ rule }) =>
  (["any", "all", "none", "capture"] as const).flatMap((k) => {
    const v = rule.match[k];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }),
);

type Tester = (text: string) => boolean;
function measure(name: string, testers: Tester[]): void {
  for (const t of testers) for (const text of texts) t(text); // warm-up
  const started = process.hrtime.bigint();
  let runs = 0;
  while (process.hrtime.bigint() - started < 1_500_000_000n) {
    for (const t of testers) for (const text of texts) t(text);
    runs += 1;
  }
  const ns = Number(process.hrtime.bigint() - started) / (runs * texts.length);
  console.log(
    `${name.padEnd(34)} ${(ns / 1000).toFixed(1).padStart(7)} µs per text for all ${testers.length} patterns`,
  );
}

const usable = patterns
  .filter((p) => {
    try {
      RE2JS.compile(p);
      return true;
    } catch {
      return false; // the seven lookaround patterns: only the matcher's RE2 equivalents run them
    }
  })
  // PATTERNS=N keeps the first N (re2-wasm's fixed 16 MB heap does not hold all of them with warm DFA caches).
  .slice(0, Number(process.env.PATTERNS ?? Infinity));
console.log(`${texts.length} corpus texts, ${usable.length} of ${patterns.length} patterns (RE2 syntax)`);
measure(
  "RegExp (V8 Irregexp)",
  usable.map((p) => {
    const r = new RegExp(p, "i");
    return (t) => r.test(t);
  }),
);
measure(
  "re2js test()",
  usable.map((p) => {
    const r = RE2JS.compile(RE2JS.translateRegExp(p), RE2JS.CASE_INSENSITIVE);
    return (t) => r.test(t);
  }),
);
measure(
  "re2js + literal prefilter (matcher)",
  usable.map((p) => {
    const r = compilePattern(p, { caseSensitive: false });
    return (t) => r.test(t);
  }),
);
if (process.env.RE2_WASM) {
  const { RE2 } = createRequire(import.meta.url)(process.env.RE2_WASM) as {
    RE2: new (p: string, flags: string) => { test(t: string): boolean };
  };
  measure(
    "re2-wasm",
    usable.map((p) => {
      const r = new RE2(p, "iu");
      return (t) => r.test(t);
    }),
  );
}
