import { UsageError } from "../errors";
import { TOOL_VERSION } from "../version";
import { helpFor, parseCliArgs, USAGE } from "./args";
import type { CliIo } from "./diagnose";
import { ExitCode } from "./exit-codes";

// Only argument parsing is loaded up front: `--version`, `--help` and usage errors load nothing heavy, and each
// command loads what it uses (the AWS SDK, zod, yaml, the renderers) through import() when it runs.

/** Runs one CLI invocation and returns its exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`ecs-medic: ${error.message}\n\n${USAGE}\n`);
      return ExitCode.Usage;
    }
    throw error;
  }
  switch (args.command) {
    case "help":
      io.stdout.write(`${helpFor(args.topic)}\n`);
      return ExitCode.Ok;
    case "version":
      io.stdout.write(`ecs-medic ${TOOL_VERSION}\n`);
      return ExitCode.Ok;
    case "diagnose":
      return (await import("./diagnose")).runDiagnose(args, io);
    case "demo":
      return (await import("./demo")).runDemo(args.format, io);
    case "rollback":
    case "scale":
      return (await import("./actions")).runAction(args, io);
    case "evidence":
      return (await import("./evidence")).runEvidence(args, io);
    case "evidence-verify":
      return (await import("./evidence")).runEvidenceVerify(args.dir, io);
    case "store-init":
      return (await import("./actions")).runStoreInit(io);
    case "classify": {
      const [{ loadPlaybooksOrReport }, { runClassify }] = await Promise.all([
        import("./playbooks"),
        import("./classify"),
      ]);
      const playbooks = await loadPlaybooksOrReport(args.playbooks, io);
      if (!playbooks) return ExitCode.Usage;
      return runClassify(
        playbooks,
        { stdin: io.stdin ?? process.stdin, stdout: io.stdout, stderr: io.stderr },
        { unmatched: args.unmatched },
      );
    }
  }
}
