// Bundles the entry points with esbuild: one self-contained ESM file each — the CLI for Node 20+, the Lambda
// handlers for nodejs22.x (each exporting `handler`, loadable with `import()`). Nothing is external: the pinned
// @aws-sdk/client-* versions are bundled, never the Lambda runtime's SDK.
// esbuild keeps the source shebang of src/cli/bin.ts. A createRequire banner lets bundled CommonJS dependencies (the AWS SDK's) call require() inside ESM.
// The playbooks are copied to dist/playbooks, one level above dist/cli and dist/handlers, where builtinPlaybookDir()
// finds them when dist/ is shipped without the checkout (in a checkout it finds ./playbooks two levels up first).
// `sls package` (serverless.yml) bundles the handlers itself with the same options and ships playbooks/ beside them.
// The copy in dist/playbooks then gets its compiled form beside it, dist/playbooks.compiled.json
// (src/diagnose/compiled-playbooks.ts): the YAML
// validated (zod) and every pattern compiled on RE2 here, so a bad playbook fails the build, and the bundle loads the
// built-in rules with one JSON.parse. The loader uses it only while the YAML beside it is byte for byte what it came
// from (SHA-256 per file); a checkout run through tsx has none and reads the YAML.
import { build } from "esbuild";
import { chmod, cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import lambdaPlugins from "./esbuild-lambda-plugins.cjs";

const banner = {
  js: "import { createRequire as __ecsMedicCreateRequire } from 'node:module'; const require = __ecsMedicCreateRequire(import.meta.url);",
};

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  minify: true,
  // ESM resolution: the SDK and every dependency that ships an ESM build ("module") resolve to it, so esbuild can
  // tree-shake them (platform "node" alone picks "main", the SDK's single-file CommonJS builds).
  mainFields: ["module", "main"],
  // No maps by default: only the worker runs with --enable-source-maps (serverless.yml), so only it ships one.
  sourcemap: false,
  legalComments: "none",
  banner,
  logLevel: "warning",
};

const cli = { in: "src/cli/bin.ts", out: "dist/cli/ecs-medic.mjs" };
const handlers = ["slack", "worker", "actions", "alarm"].map((name) => ({
  name,
  in: `src/handlers/${name}.ts`,
  out: `dist/handlers/${name}.mjs`,
  sourcemap: name === "worker" ? "linked" : false,
}));

// No stale handler from an earlier build may linger next to the fresh ones.
await Promise.all([
  rm("dist/cli", { recursive: true, force: true }),
  rm("dist/handlers", { recursive: true, force: true }),
  rm("dist/playbooks", { recursive: true, force: true }),
  rm("dist/meta", { recursive: true, force: true }),
  rm("dist/playbooks.compiled.json", { force: true }),
]);
await mkdir("dist/meta", { recursive: true });

/**
 * esbuild's metafile of each build (which source went into which output, what each output imports) in
 * dist/meta/<name>.json: the tests read what each bundle loads at import and what it leaves external from the build
 * itself instead of bundling again. Not shipped (serverless.yml zips dist/handlers only).
 */
const withMeta = (name) => async (result) => writeFile(`dist/meta/${name}.json`, JSON.stringify(result.metafile));

await Promise.all([
  // The CLI is split: bin + argument parsing in ecs-medic.mjs, each command's code in dist/cli/chunks/ loaded by its
  // import(), so `--version` parses kilobytes, not the whole SDK.
  build({
    ...common,
    entryPoints: { "ecs-medic": cli.in },
    outdir: "dist/cli",
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    target: "node20",
    metafile: true,
  }).then(withMeta("cli")),
  // Each handler likewise: dist/handlers/<name>.mjs and the code it loads on demand in dist/handlers/chunks/<name>/
  // (a function's own folder, so its zip can carry exactly what it needs).
  ...handlers.map((h) =>
    build({
      ...common,
      entryPoints: { [h.name]: h.in },
      outdir: "dist/handlers",
      splitting: true,
      chunkNames: `chunks/${h.name}/[name]-[hash]`,
      outExtension: { ".js": ".mjs" },
      target: "node22",
      sourcemap: h.sourcemap,
      plugins: lambdaPlugins,
      metafile: true,
    }).then(withMeta(h.name)),
  ),
  // The playbooks and their compiled form, while the bundles build (the compile needs only the YAML).
  cp("playbooks", "dist/playbooks", { recursive: true }).then(() => compilePlaybooks("dist/playbooks")),
]);
await chmod(cli.out, 0o755);

/**
 * Writes `<dir>.compiled.json` with the TypeScript loader itself (src/diagnose/compile-playbooks.ts, bundled for this
 * one call), so the compiled form is what loading the YAML gives; a playbook the loader refuses fails the build.
 */
async function compilePlaybooks(dir) {
  const [out] = (
    await build({ ...common, entryPoints: ["src/diagnose/compile-playbooks.ts"], write: false, target: "node20" })
  ).outputFiles;
  const tmp = await mkdtemp(join(tmpdir(), "ecs-medic-build-"));
  try {
    const file = join(tmp, "compile-playbooks.mjs");
    await writeFile(file, out.contents);
    const { writeCompiledPlaybooks } = await import(pathToFileURL(file).href);
    writeCompiledPlaybooks(dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** An entry file plus every chunk of its folder: what the entry can load. */
async function bytesOf(out, chunkDir) {
  const files = chunkDir ? (await readdir(chunkDir)).map((f) => join(chunkDir, f)) : [];
  const sizes = await Promise.all([out, ...files].map(async (f) => (await stat(f)).size));
  return sizes.reduce((a, b) => a + b, 0);
}
const outputs = [
  { out: cli.out, chunks: "dist/cli/chunks" },
  ...handlers.map((h) => ({ out: h.out, chunks: `dist/handlers/chunks/${h.name}` })),
];
const sizes = await Promise.all(
  outputs.map(async ({ out, chunks }) => {
    const entry = (await stat(out)).size;
    return `${out} (${(entry / 1024).toFixed(0)} KiB + chunks ${(((await bytesOf(out, chunks)) - entry) / 1024) | 0} KiB)`;
  }),
);
console.log(`built ${sizes.join(", ")}, dist/playbooks (+ dist/playbooks.compiled.json)`);
