import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { motoAvailable, startMoto, type Moto } from "./helpers/moto";

declare module "vitest" {
  export interface ProvidedContext {
    /** `npm run build` ran once before the tests: dist/ holds the CLI and the Lambda bundles the tests run. */
    bundlesBuilt: boolean;
    /**
     * A folder that lives as long as the run: what several test files (in several workers) need once is made once
     * there (test/helpers/run-once.ts: the packaged stack) and removed at the end.
     */
    runDir: string;
    /** One moto_server per worker (test/helpers/shared-moto.ts), index = VITEST_POOL_ID − 1; empty without moto. */
    motoUrls: string[];
  }
}

/** One build and one run folder per vitest process, shared by every project that runs this setup (each calls it). */
const state = globalThis as typeof globalThis & {
  ecsMedicBuild?: Promise<unknown>;
  ecsMedicRunDir?: string;
  ecsMedicMotos?: Promise<Moto[]>;
};

/**
 * Builds the bundles once for the whole run, before any test file starts: the CLI integration tests run the built
 * CLI (not tsx, which compiles the sources in every child process) and the build tests inspect the same files, so
 * no test rebuilds dist/ while another runs it. The state is process-wide so that a second call (a workspace with
 * several projects runs the setup once per project) awaits the same build: two concurrent builds delete each other's
 * output.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  state.ecsMedicBuild ??= promisify(execFile)(process.execPath, ["scripts/build.mjs"], { timeout: 120_000 });
  state.ecsMedicRunDir ??= mkdtempSync(join(tmpdir(), "ecs-medic-run-"));
  // While the build runs: a moto_server for each worker (their Python start overlaps the esbuild work).
  state.ecsMedicMotos ??= motoAvailable()
    ? Promise.all(Array.from({ length: project.config.maxWorkers || availableParallelism() }, () => startMoto()))
    : Promise.resolve([]);
  const [motos] = await Promise.all([state.ecsMedicMotos, state.ecsMedicBuild]);
  project.provide("bundlesBuilt", true);
  project.provide("runDir", state.ecsMedicRunDir);
  project.provide(
    "motoUrls",
    motos.map((m) => m.url),
  );
  return async () => {
    const servers = state.ecsMedicMotos;
    state.ecsMedicMotos = undefined;
    await Promise.all((await servers)?.map((m) => m.stop()) ?? []);
    const dir = state.ecsMedicRunDir;
    if (!dir) return;
    state.ecsMedicRunDir = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
}
