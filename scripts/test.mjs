// `npm test`: formatting (Prettier), types (tsc) and the tests (vitest), with the two checks running while the tests
// run rather than before them. Each is CPU work; run one after another, the checks' ~14 s come before the first test,
// while the test run itself leaves a core idle at its start (the build) and at its tail (one last file). The checks'
// output is held and printed after vitest's, so the test output stays readable. The exit status is non-zero when any
// of the three fails. Arguments go to vitest (`npm test -- test/cli`).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const bin = (name) => join("node_modules", ".bin", name);

/** Runs a command; `held` collects its output instead of passing it through. */
function run(command, args, held) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: held ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    if (held) for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ code: 1, output: `${output}${error.message}\n` }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

// Both keep what they learnt in node_modules/.cache (gone with node_modules, never committed): a file whose content
// did not change since a passing check is not formatted again (Prettier's own cache, keyed by content and options),
// and tsc rechecks what an edit can affect (its incremental build info). A fresh checkout checks everything.
const cache = join("node_modules", ".cache", "ecs-medic");
// Prettier's cache key holds its own version and options but only its plugins' names: a cache per lockfile, so an
// upgraded parser plugin (or anything else installed differently) checks every file again.
const lockfile = createHash("sha256").update(readFileSync("package-lock.json")).digest("hex").slice(0, 12);
const checks = [
  {
    name: "prettier --check .",
    done: run(
      bin("prettier"),
      [
        "--check",
        ".",
        "--cache",
        "--cache-strategy",
        "content",
        "--cache-location",
        join(cache, `prettier-${lockfile}`),
      ],
      true,
    ),
  },
  // One checker thread: about 40 % less CPU than the default four, and no slower here.
  {
    name: "tsc --noEmit",
    done: run(
      bin("tsc"),
      ["--noEmit", "--singleThreaded", "--incremental", "--tsBuildInfoFile", join(cache, "tsc.tsbuildinfo")],
      true,
    ),
  },
];
const tests = await run(bin("vitest"), ["run", ...process.argv.slice(2)], false);

let failed = tests.code !== 0;
for (const check of checks) {
  const { code, output } = await check.done;
  if (code === 0) {
    process.stdout.write(`✓ ${check.name}\n`);
  } else {
    failed = true;
    process.stdout.write(`✗ ${check.name} (exit ${code})\n${output}`);
  }
}
process.exit(failed ? 1 : 0);
