import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * The pure core stays pure, mechanically: nothing under these folders may pull an AWS SDK or Slack package into a
 * bundle, directly or through another module. esbuild resolves the real import graph (type-only imports are erased,
 * as at run time), so a value import three modules away is caught, and an `import type` is not a false alarm.
 */
const PURE = ["src/diagnose", "src/render", "src/evidence", "src/steps"];
const FORBIDDEN = /^@aws-sdk\/|^@smithy\/|^@slack\//;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Every bare package a module pulls in at run time, with the chain of local modules that led there. */
async function packagesPulledBy(entry: string): Promise<{ pkg: string; via: string }[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
    outdir: "out",
  });
  const inputs = result.metafile.inputs;
  return Object.entries(inputs).flatMap(([file, input]) =>
    input.imports.filter((i) => i.external).map((i) => ({ pkg: i.path, via: relative(".", file) })),
  );
}

describe("pure core (no AWS SDK or Slack package reachable)", () => {
  const files = PURE.flatMap(tsFiles);

  it("finds the modules it guards", () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it.each(files)("%s", async (file) => {
    const pulled = await packagesPulledBy(file);
    expect(pulled.filter((p) => FORBIDDEN.test(p.pkg))).toEqual([]);
  });

  it("would catch a module that pulls the SDK indirectly", async () => {
    const pulled = await packagesPulledBy("src/collect/steps/index.ts");
    expect(pulled.some((p) => FORBIDDEN.test(p.pkg))).toBe(true);
  });
});
