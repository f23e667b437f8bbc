/**
 * Per-line cost of `classify` on the regression corpora (test/fixtures/corpus): every line classified as
 * `ecs-medic classify` does, repeated until about two seconds have passed. Not part of `npm test` (a timing is a
 * number to read, not an assertion). Run: `npx tsx scripts/bench/classify.ts`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { classifyMessage, toMessage, type ClassifyInput } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";

const files = ["task-messages.jsonl", "service-messages.jsonl", "holdout.jsonl"];
const lines: ClassifyInput[] = files.flatMap((file) =>
  readFileSync(fileURLToPath(new URL(`../../test/fixtures/corpus/${file}`, import.meta.url)), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ClassifyInput),
);
const playbooks = loadPlaybooks();

// Warm-up, then measure. toMessage is inside the loop: a fresh Message each time, as for a real input line.
for (let i = 0; i < 3; i++) for (const l of lines) classifyMessage(toMessage(l), playbooks);
let classified = 0;
const started = process.hrtime.bigint();
let elapsedNs = 0n;
while (elapsedNs < 2_000_000_000n) {
  for (const l of lines) classifyMessage(toMessage(l), playbooks);
  classified += lines.length;
  elapsedNs = process.hrtime.bigint() - started;
}
const perLineUs = Number(elapsedNs) / 1000 / classified;
console.log(
  `${lines.length} corpus lines, ${playbooks.rules.length} rules: ${perLineUs.toFixed(1)} µs/line, ` +
    `${Math.round(1e6 / perLineUs).toLocaleString("en")} lines/s`,
);
