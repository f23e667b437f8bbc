#!/usr/bin/env node
// The ecs-medic executable: wires the real process to `main`. Everything testable lives in main.ts.
import { systemClock } from "../clock";
import { ExitCode } from "./exit-codes";
import { main } from "./main";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  clock: systemClock,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `ecs-medic: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = ExitCode.NothingCollected;
  },
);
