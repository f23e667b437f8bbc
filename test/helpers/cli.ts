/**
 * The built CLI (dist/cli/ecs-medic.mjs, built once per run by test/global-setup.ts) as a child process: what users
 * run, with no TypeScript compile per child (tsx costs several CPU-seconds a process). The environment is only what
 * the test passes, on top of PATH and HOME: no AWS setting of the developer's leaks in.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";

export const CLI_BIN = join(process.cwd(), "dist", "cli", "ecs-medic.mjs");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/tmp",
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...env,
        },
        timeout: 60_000,
        maxBuffer: 20 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
