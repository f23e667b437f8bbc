// What one built entry can load, from the esbuild metafile scripts/build.mjs writes (dist/meta.json). The CLI and the
// four Lambda handlers are one esbuild build sharing its chunks (dist/chunks/), so "which files does the worker need"
// is a question for the import graph esbuild recorded, not for a folder name: the osls plugin zips each function's
// closure (scripts/serverless-build.cjs), and the tests and the bench measure the same sets.
"use strict";

const { readFileSync } = require("node:fs");
const { join } = require("node:path");

/** Where the build writes its metafile, relative to the project root. */
const METAFILE = "dist/meta.json";

/** @param {string} root the project root */
function readMetafile(root = process.cwd()) {
  return JSON.parse(readFileSync(join(root, METAFILE), "utf8"));
}

/**
 * The output files `entry` loads: itself and every chunk it imports, transitively, in the order first reached.
 * `lazy: false` follows static imports only (what `import()` of the entry evaluates before its first event); the
 * default follows `import()` too (everything it can ever load: what its zip must carry). Paths are the metafile's,
 * relative to the project root ("dist/handlers/worker.mjs", "dist/chunks/…").
 * @param {{ outputs: Record<string, { imports: { path: string, kind: string, external?: boolean }[] }> }} metafile
 * @param {string} entry
 * @param {{ lazy?: boolean }} [options]
 * @returns {string[]}
 */
function closure(metafile, entry, { lazy = true } = {}) {
  if (!metafile.outputs[entry]) throw new Error(`${entry} is not an output of the build (${METAFILE})`);
  const seen = new Set([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    for (const imported of metafile.outputs[queue.shift()].imports) {
      if (imported.external || seen.has(imported.path)) continue;
      if (imported.kind !== "import-statement" && !(lazy && imported.kind === "dynamic-import")) continue;
      seen.add(imported.path);
      queue.push(imported.path);
    }
  }
  return [...seen];
}

module.exports = { METAFILE, readMetafile, closure };
