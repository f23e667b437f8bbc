import { parseArgs } from "node:util";
import { UsageError } from "../errors";

/** text: the terminal report; json: the Diagnosis; slack: the Block Kit message the bot would post (for the preview tool). */
export const OUTPUT_FORMATS = ["text", "json", "slack"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface DiagnoseArgs {
  readonly command: "diagnose";
  /** Absent only when replaying `--evidence`. */
  readonly service?: string | undefined;
  readonly cluster?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly since: string;
  readonly format: OutputFormat;
  readonly saveEvidence?: string | undefined;
  readonly evidence?: string | undefined;
  /** Extra playbook folders, after the built-in ones and ECS_MEDIC_PLAYBOOKS. */
  readonly playbooks: readonly string[];
}

export interface ClassifyArgs {
  readonly command: "classify";
  readonly playbooks: readonly string[];
  /** Print only the answers no rule gave (`rule: "default"`): what a rule author has left to cover. */
  readonly unmatched: boolean;
}

export type CliArgs =
  | DiagnoseArgs
  | ClassifyArgs
  | { readonly command: "demo"; readonly format: OutputFormat }
  | { readonly command: "help" }
  | { readonly command: "version" };

export const USAGE = `Usage:
  ecs-medic diagnose <service> [--cluster C] [--region R] [--profile P] [--since 1h]
                               [--format text|json|slack] [--save-evidence FILE] [--playbooks DIR]
  ecs-medic diagnose [<service>] --evidence FILE      replay a saved snapshot, no AWS access
  ecs-medic demo                                      diagnose the bundled example incidents
  ecs-medic classify [--playbooks DIR]... [--unmatched]  JSON Lines on stdin → JSON Lines on stdout
                                                      (--unmatched: only the lines no rule covered)
  ecs-medic help | --version

<service> is a name (searched in every cluster unless --cluster is given), CLUSTER/NAME, or a service ARN.
--since takes a duration (30m, 2h, 1d, 1h30m) or an ISO time; default 1h.

Exit codes: 0 healthy or degraded without a failed step · 1 a step failed · 2 usage error, unknown or
ambiguous service, bad playbook · 3 nothing could be collected.`;

/** Parses argv (without `node script`). Throws `UsageError` with a message that says what to type instead. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return { command: "help" };
    case "--version":
    case "-v":
    case "version":
      return { command: "version" };
    case "diagnose":
      return parseDiagnose(rest);
    case "classify":
      return parseClassify(rest);
    case "demo":
      return parseDemo(rest);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parseDiagnose(argv: readonly string[]): DiagnoseArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        cluster: { type: "string", short: "c" },
        region: { type: "string", short: "r" },
        profile: { type: "string", short: "p" },
        since: { type: "string", short: "s", default: "1h" },
        format: { type: "string", short: "f", default: "text" },
        "save-evidence": { type: "string" },
        evidence: { type: "string", short: "e" },
        playbooks: { type: "string", multiple: true },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ""), { cause: error });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`diagnose takes one service, got: ${positionals.join(" ")}`);
  const service = positionals[0];
  if (!service && !values.evidence)
    throw new UsageError("diagnose needs a service name (or --evidence FILE to replay)");
  if (values.evidence && values["save-evidence"])
    throw new UsageError("--evidence replays a snapshot; --save-evidence cannot be used with it");
  const format = values.format as string;
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format ${format}: use one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  return {
    command: "diagnose",
    service,
    cluster: values.cluster,
    region: values.region,
    profile: values.profile,
    since: values.since as string,
    format: format as OutputFormat,
    saveEvidence: values["save-evidence"],
    evidence: values.evidence,
    playbooks: values.playbooks ?? [],
  };
}

function parseClassify(argv: readonly string[]): ClassifyArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { playbooks: { type: "string", multiple: true }, unmatched: { type: "boolean", default: false } },
    });
    if (positionals.length > 0)
      throw new UsageError(`classify reads JSON Lines on stdin and takes no arguments (got ${positionals.join(" ")})`);
    return { command: "classify", playbooks: values.playbooks ?? [], unmatched: values.unmatched === true };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ""), { cause: error });
  }
}

function parseDemo(argv: readonly string[]): CliArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      options: { format: { type: "string", short: "f", default: "text" } },
    });
    const format = values.format as string;
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format))
      throw new UsageError(`--format ${format}: use one of ${OUTPUT_FORMATS.join(", ")}`);
    return { command: "demo", format: format as OutputFormat };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message, { cause: error });
  }
}
