import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** `npm run build` ran once before the tests: dist/ holds the CLI and the Lambda bundles the tests run. */
    bundlesBuilt: boolean;
  }
}

/** One build per vitest process, shared by every project that runs this setup (each project calls it). */
const state = globalThis as typeof globalThis & { ecsMedicBuild?: Promise<unknown> };

/**
 * Builds the bundles once for the whole run, before any test file starts: the CLI integration tests run the built
 * CLI (not tsx, which compiles the sources in every child process) and the build tests inspect the same files, so
 * no test rebuilds dist/ while another runs it. Both projects (vitest.config.ts) run this setup; without the shared
 * promise their two builds would delete each other's output.
 */
export default async function setup(project: TestProject): Promise<void> {
  state.ecsMedicBuild ??= promisify(execFile)(process.execPath, ["scripts/build.mjs"], { timeout: 120_000 });
  await state.ecsMedicBuild;
  project.provide("bundlesBuilt", true);
}
