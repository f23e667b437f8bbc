/**
 * Replay time of a large snapshot: an example inflated `factor` times (stopped tasks, events, log lines), serialised,
 * then parsed and diagnosed as `diagnose --evidence FILE` does. Not part of `npm test`.
 * Run: `npx tsx scripts/bench/replay.ts [factor=2000] [example=oom-after-deploy]`, or `FLOOD=200000 npx tsx …` for
 * one stream of 200,000 distinct error lines of one kind (one finding with that many members).
 */
import { diagnose } from "../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { parseEvidence, serializeEvidence } from "../../src/evidence/snapshot";
import { exampleEvidence, floodLogs, inflateEvidence } from "../../test/helpers/large-evidence";

const factor = Number(process.argv[2] ?? 2000);
const example = process.argv[3] ?? "oom-after-deploy";
// FLOOD=N adds N distinct error lines of one kind (one finding with N members) instead of inflating.
const flood = Number(process.env.FLOOD ?? 0);
const base = exampleEvidence(example);
const text = serializeEvidence(flood > 0 ? floodLogs(base, flood) : inflateEvidence(base, factor));
const playbooks = loadPlaybooks();

const t0 = performance.now();
const evidence = parseEvidence(text, "bench");
const t1 = performance.now();
const diagnosis = diagnose(evidence, playbooks);
const t2 = performance.now();
const primary = diagnosis.findings.find((f) => f.id === diagnosis.primary?.finding);
console.log(
  `${example} ${flood > 0 ? `+${flood} error lines` : `×${factor}`}: ${(text.length / 1e6).toFixed(1)} MB; parse ${((t1 - t0) / 1000).toFixed(2)} s, ` +
    `diagnose ${((t2 - t1) / 1000).toFixed(2)} s; primary ${primary?.symptom ?? "none"} (count ${primary?.count ?? 0})`,
);
