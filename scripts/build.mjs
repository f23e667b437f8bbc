// Bundles the entry points with esbuild: one self-contained ESM file each, for Node 20+ (CLI) and Lambda nodejs22.x.
// esbuild keeps the source shebang of src/cli/bin.ts. A createRequire banner lets bundled CommonJS dependencies (the AWS SDK's) call require() inside ESM.
import { build } from "esbuild";
import { chmod } from "node:fs/promises";

const banner = {
  js: "import { createRequire as __ecsMedicCreateRequire } from 'node:module'; const require = __ecsMedicCreateRequire(import.meta.url);",
};

const entries = [{ in: "src/cli/bin.ts", out: "dist/cli/ecs-medic.mjs", shebang: true }];

for (const entry of entries) {
  await build({
    entryPoints: [entry.in],
    outfile: entry.out,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    sourcemap: "linked",
    legalComments: "none",
    banner,
    logLevel: "warning",
  });
  if (entry.shebang) await chmod(entry.out, 0o755);
}
console.log(`built ${entries.map((e) => e.out).join(", ")}`);
