import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Files that need a fresh module graph: moto_server wiring through the environment, process-wide stubs (vi.stubEnv,
 * the handlers' per-container state and `…ForTests` setters). Everything else shares its worker's modules: each
 * isolated file pays the SDK's and Bolt's import again (several CPU-seconds), so a file is here only for a reason.
 */
const ISOLATED = [
  // Points the SDK at moto_server through AWS_ENDPOINT_URL. (cli-moto, evidence-moto and the idempotency store test
  // share their worker: they restore the real `send` of the client classes another file may have stubbed, realSend.)
  "test/integration/actions-moto.test.ts",
  "test/handlers/**/*.test.ts",
  "test/slack/credentials.test.ts",
  // The real handlers with their per-container state and SDK prototypes stubbed.
  "test/faults/slack-faults.test.ts",
  "test/faults/input-faults.test.ts",
  "test/faults/worker-faults.test.ts",
];

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
    // Two projects: most files share one module graph per worker (no re-import of the SDK, zod and yaml for every
    // file: about half the run), while the files that talk to moto_server or stub SDK prototypes keep their own.
    projects: [
      { extends: true, test: { name: "shared", isolate: false, include: ["test/**/*.test.ts"], exclude: ISOLATED } },
      // Worker threads, not forked processes, for the isolated files: each file's fresh module graph is built in a new
      // thread instead of a new Node process (about 19 CPU-s less for these 12 files). Their environment stubs stay
      // per thread; the shared project keeps forks (a test there sets TZ, which only a process honours).
      { extends: true, test: { name: "isolated", include: ISOLATED, pool: "threads" } },
    ],
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
