// Bundles the CLI (Node 20+) and the four Lambda handlers (nodejs22.x; each exports `handler`, loadable with
// `import()`) with esbuild, as ESM. Nothing is external but Node's built-ins: the pinned @aws-sdk/client-* versions
// are bundled, never the Lambda runtime's SDK. esbuild keeps the shebang of src/cli/bin.ts; a createRequire banner
// lets bundled CommonJS dependencies (the AWS SDK's) call require() inside ESM.
// `sls package` zips these very files (scripts/serverless-build.cjs): what is deployed is what the tests and the bench
// run. The playbooks are copied to dist/playbooks, one level above dist/cli, dist/handlers and dist/chunks, where
// builtinPlaybookDir() finds them, with their compiled form beside them, dist/playbooks.compiled.json
// (src/diagnose/compile-playbooks.ts): the YAML validated (zod) and every pattern checked on RE2 here, so a bad
// playbook fails the build, and the bundle loads the built-in rules with one JSON.parse. The loader uses it only
// while the YAML beside it is byte for byte what it came from (SHA-256 per file); a checkout run through tsx has none
// and reads the YAML.
import { build } from "esbuild";
import { chmod, cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import bundleClosure from "./bundle-closure.cjs";
import lambdaPlugins from "./esbuild-lambda-plugins.cjs";

const { METAFILE, closure, readMetafile } = bundleClosure;

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
  legalComments: "none",
  banner,
  logLevel: "warning",
  // Node 20 is the CLI's floor; the Lambda runtime (nodejs22.x) runs the same code.
  target: "node20",
};

const cli = { in: "src/cli/bin.ts", out: "dist/cli/ecs-medic.mjs" };
const handlers = ["slack", "worker", "actions", "alarm"].map((name) => ({
  name,
  in: `src/handlers/${name}.ts`,
  out: `dist/handlers/${name}.mjs`,
}));

// No stale output of an earlier build may linger next to the fresh ones.
await Promise.all(
  [
    "dist/cli",
    "dist/handlers",
    "dist/chunks",
    "dist/playbooks",
    "dist/meta",
    METAFILE,
    "dist/playbooks.compiled.json",
  ].map((path) => rm(path, { recursive: true, force: true })),
);

await Promise.all([
  // One build for the CLI and the four handlers: each entry is small (argument parsing, the handler's shell) and
  // loads the rest by import() from chunks shared in dist/chunks/, so `--version` parses kilobytes, not the whole SDK.
  // One build parses the SDK, Bolt and the sources once instead of five times (12 → 3 CPU-s); which chunks each
  // function needs is in the metafile (scripts/bundle-closure.cjs), which is how its zip gets exactly those.
  // Linked source maps for every output: the worker runs with --enable-source-maps (serverless.yml) and only its zip
  // carries them; from a checkout `node --enable-source-maps dist/cli/ecs-medic.mjs` gets TypeScript stack traces.
  build({
    ...common,
    entryPoints: Object.fromEntries([["cli/ecs-medic", cli.in], ...handlers.map((h) => [`handlers/${h.name}`, h.in])]),
    outdir: "dist",
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    sourcemap: "linked",
    // Bolt's receivers no handler runs are stubs; the CLI never loads Bolt's runtime.
    plugins: lambdaPlugins,
    // esbuild's record of which source went into which output and what each output imports: the zips, the bundle
    // tests and the bench read it instead of bundling again. Not shipped.
    metafile: true,
  }).then((result) => writeFile(METAFILE, JSON.stringify(result.metafile))),
  // The playbooks and their compiled form, while the bundles build (the compile needs only the YAML).
  cp("playbooks", "dist/playbooks", { recursive: true }).then(() => compilePlaybooks("dist/playbooks")),
]);
await chmod(cli.out, 0o755);

/**
 * Writes `<dir>.compiled.json` with the TypeScript loader itself (src/diagnose/compile-playbooks.ts, bundled for this
 * one call), so the compiled form is what loading the YAML gives; a playbook the loader refuses fails the build.
 */
async function compilePlaybooks(dir) {
  const [out] = (await build({ ...common, entryPoints: ["src/diagnose/compile-playbooks.ts"], write: false }))
    .outputFiles;
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

const metafile = readMetafile();
const sizes = [cli, ...handlers].map(({ out }) => {
  const [entry, ...chunks] = closure(metafile, out).map((file) => metafile.outputs[file].bytes);
  const kib = (bytes) => (bytes / 1024).toFixed(0);
  return `${out} (${kib(entry)} KiB + chunks ${kib(chunks.reduce((a, b) => a + b, 0))} KiB)`;
});
console.log(`built ${sizes.join(", ")}, dist/playbooks (+ dist/playbooks.compiled.json)`);
