#!/usr/bin/env node
// The ecs-medic executable: wires the real process to `main`. Everything testable lives in main.ts.
import { jsonLogger } from "../app/logger";
import { systemClock } from "../clock";
import { ExitCode } from "./exit-codes";
import { main } from "./main";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// `ecs-medic demo | head -1`: the reader left; stop quietly, as a shell tool does on SIGPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  clock: systemClock,
}).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    // Loaded only here (it pulls in zod through the evidence schema), so a normal start stays light.
    const { describeFailure } = await import("../app/failure");
    // A bug: the generic sentence and a reference, with the stack in the log line that carries the same reference.
    const logger = jsonLogger((line) => process.stderr.write(`${line}\n`), { tool: "ecs-medic" });
    const failure = describeFailure(error, { subject: process.argv[2] ?? "ecs-medic", logger });
    process.stderr.write(`ecs-medic: ${failure.title}. ${failure.detail}\n  ${failure.hint ?? ""}\n`);
    process.exitCode = ExitCode.NothingCollected;
  },
);
