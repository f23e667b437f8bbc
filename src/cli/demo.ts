import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { diagnose } from "../app/diagnose";
import { ErrorCode } from "../errors";
import { renderDiagnosisText } from "../render/terminal/report";
import type { OutputFormat } from "./args";
import { cliDeps, type CliIo } from "./diagnose";
import { ExitCode } from "./exit-codes";

/**
 * The recorded incidents shipped in examples/: two levels above this module from src/, three from the CLI's chunks
 * (dist/cli/chunks/).
 */
export function examplesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    resolve(here, "../../examples"),
    resolve(here, "../examples"),
    resolve(here, "../../../examples"),
    resolve(process.cwd(), "examples"),
  ];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
}

/**
 * `ecs-medic demo` / `npm run demo`: diagnoses every bundled example snapshot with no AWS or Slack account and
 * prints each report. Exit 0 when every example could be read and diagnosed.
 */
export async function runDemo(format: OutputFormat, io: CliIo): Promise<number> {
  const deps = cliDeps(io);
  const dir = examplesDir();
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
    : [];
  if (files.length === 0) {
    io.stderr.write(`ecs-medic demo: no example snapshots in ${dir}\n`);
    return ExitCode.Usage;
  }
  const color = format === "text" && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  const results = [];
  for (const file of files) {
    const result = await diagnose(deps, { service: "", replay: { file: join(dir, file) } });
    if (!result.ok) {
      io.stderr.write(`ecs-medic demo: ${file}: ${result.failure.detail}\n`);
      return result.failure.code === ErrorCode.PlaybookInvalid ? ExitCode.Usage : ExitCode.NothingCollected;
    }
    const { diagnosis } = result;
    if (format !== "text") {
      results.push({ example: file.replace(/\.json$/, ""), diagnosis });
      continue;
    }
    const rule = "━".repeat(78);
    io.stdout.write(`${rule}\nexample: ${file.replace(/\.json$/, "")}\n${rule}\n`);
    io.stdout.write(renderDiagnosisText(diagnosis, { color, width: 80 }));
    io.stdout.write("\n");
  }
  if (format !== "text") io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else
    io.stdout.write(
      `${files.length} example incident(s) diagnosed offline from examples/ — replay any with:\n  npm run -s cli -- diagnose --evidence examples/${files[0]}\n`,
    );
  return ExitCode.Ok;
}
