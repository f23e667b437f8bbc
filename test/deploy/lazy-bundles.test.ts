import { readFileSync } from "node:fs";
import type { Metafile } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * What each Lambda handler bundle evaluates at import (issue 12: cold starts), from the metafile scripts/build.mjs
 * wrote for the bundle the tests run and serverless.yml ships (dist/meta/<name>.json, built once per test run by
 * test/global-setup.ts); "eager" is the entry file plus every chunk it imports statically — what `import()` of the
 * handler runs before the first event.
 */

function eagerPackages(name: string): Set<string> {
  const metafile = JSON.parse(readFileSync(`dist/meta/${name}.json`, "utf8")) as Metafile;
  const outputs: Metafile["outputs"] = metafile.outputs;
  const entry = Object.keys(outputs).find((file) => file.endsWith(`/${name}.mjs`))!;
  const eager = new Set([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    for (const imported of outputs[queue.pop()!]!.imports) {
      if (imported.kind !== "import-statement" || imported.external || eager.has(imported.path)) continue;
      eager.add(imported.path);
      queue.push(imported.path);
    }
  }
  const packages = new Set<string>();
  for (const file of eager)
    for (const input of Object.keys(outputs[file]!.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      packages.add(pkg ? pkg[1]! : input.startsWith("unused-on-lambda:") ? "(stub)" : "src");
    }
  return packages;
}

describe("Lambda bundles load only what the handler needs at import", () => {
  const eager: Record<string, Set<string>> = {};
  beforeAll(async () => {
    for (const name of ["slack", "actions"]) eager[name] = eagerPackages(name);
  }, 60_000);

  it("slack: Bolt, the Lambda and SSM clients, and nothing else heavy", () => {
    const slack = eager.slack!;
    expect(slack).toContain("@slack/bolt");
    expect(slack).toContain("@aws-sdk/client-lambda");
    expect(slack).toContain("@aws-sdk/client-ssm");
    const forbidden = [...slack].filter((p) =>
      /^(?:@aws-sdk\/client-(?!lambda$|ssm$)|express$|undici$|iconv-lite$|raw-body$|@slack\/socket-mode$|@slack\/oauth$|jsonwebtoken$|zod$|yaml$|re2js$)/.test(
        p,
      ),
    );
    expect(forbidden).toEqual([]);
  });

  it("actions: no SDK client, schema or YAML library until the first job", () => {
    const heavy = [...eager.actions!].filter((p) => /^(?:@aws-sdk\/|@slack\/|zod$|yaml$|re2js$)/.test(p));
    expect(heavy).toEqual([]);
  });
});
