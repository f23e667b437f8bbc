import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** `npm run build` ran once before the tests: dist/ holds the CLI and the Lambda bundles the tests run. */
    bundlesBuilt: boolean;
  }
}

/**
 * Builds the bundles once for the whole run, before any test file starts: the CLI integration tests run the built
 * CLI (not tsx, which compiles the sources in every child process) and the build tests inspect the same files, so
 * no test rebuilds dist/ while another runs it.
 */
export default async function setup(project: TestProject): Promise<void> {
  await promisify(execFile)(process.execPath, ["scripts/build.mjs"], { timeout: 120_000 });
  project.provide("bundlesBuilt", true);
}
