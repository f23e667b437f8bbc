import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    setupFiles: ["test/setup.ts"],
    // One build for the run (test/global-setup.ts): tests run the built bundles, not only the sources.
    globalSetup: ["test/global-setup.ts"],
    // Logs of code under test are captured: shown for a failing test only, so a green run looks green.
    silent: "passed-only",
    testTimeout: 20_000,
    // One worker per core and one more. vitest's default for `run` is cores − 1, which on a 2-core machine runs every
    // file one after another; many files here spend part of their time waiting on a child (moto_server, osls, the
    // built CLI) or a timer, and the extra worker fills those waits (2 cores: 80 s with 2 workers, 73 s with 3 or 4).
    maxWorkers: availableParallelism() + 1,
    // The JSON report is what .ci/run counts from (CI does not read vitest's own summary).
    reporters: ["default", ["json", { outputFile: ".vitest-results.json" }]],
    hookTimeout: 30_000,
    // Files share their worker's module graph: the SDK, Bolt, zod and yaml are imported once per worker, not once per
    // file (each fresh graph cost a file 1–3 CPU-s, half the run). What a file changes process-wide does not outlive
    // it: test/setup.ts undoes environment stubs, fake timers and SDK client stubs at its end, and the handlers' tests
    // set their per-container state through the `…ForTests` setters before each test. Forked processes, not threads:
    // a test sets TZ, which only a process honours.
    isolate: false,
    pool: "forks",
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      // Never let a unit test reach real AWS with whatever credentials the developer has.
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  },
});
