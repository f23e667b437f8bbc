import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** Every AWS operation the code calls goes through awsCall("service:Action", …); collect them from the source. */
function operationsInSource(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const match of text.matchAll(/awsCall\(\s*"([a-z0-9-]+:[A-Za-z]+)"/g)) found.add(match[1]!);
  }
  return found;
}

describe("iam/diagnose-readonly.json", () => {
  const policy = JSON.parse(readFileSync("iam/diagnose-readonly.json", "utf8")) as {
    Statement: { Action: string[] }[];
  };
  const granted = new Set(policy.Statement.flatMap((s) => s.Action));
  // The diagnosis reads: everything the collectors call. (The Slack and worker functions add their own, per-function
  // statements in serverless.yml: lambda:InvokeFunction, DynamoDB, SSM.)
  const used = operationsInSource("src/collect");

  it("grants every action the collectors call, so a fresh deployment sees no AccessDenied", () => {
    expect([...used].filter((a) => !granted.has(a))).toEqual([]);
  });

  it("is generated from iam/diagnose-policy.cjs and iam/scope.json (run `npm run iam:policy` after changing them)", () => {
    const generator = createRequire(import.meta.url)("../../iam/diagnose-policy.cjs") as {
      policyDocument(env: Record<string, string>): unknown;
    };
    expect(policy).toEqual(generator.policyDocument({}));
  });

  it("grants nothing the code does not call, and nothing that writes", () => {
    expect([...granted].filter((a) => !used.has(a))).toEqual([]);
    expect([...granted].filter((a) => !/:(Describe|List|Get|Lookup|Filter)/.test(a))).toEqual([]);
  });
});
