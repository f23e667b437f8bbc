import { parseArgs, type ParseArgsConfig } from "node:util";
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

/** The live target of a guarded action. */
interface ActionTargetArgs {
  readonly service: string;
  readonly cluster?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  /** Act without asking (required when stdin is not a terminal). */
  readonly yes: boolean;
}

export interface RollbackArgs extends ActionTargetArgs {
  readonly command: "rollback";
  /** An explicit revision (`payment-api:41`, `41` or an ARN); default: the last known-good one. */
  readonly to?: string | undefined;
}

export interface ScaleArgs extends ActionTargetArgs {
  readonly command: "scale";
  readonly to?: number | undefined;
  readonly factor?: number | undefined;
}

/** `evidence <service> … --out DIR`: the post-incident bundle (timeline.md, evidence.json, manifest.json). */
export interface EvidenceArgs {
  readonly command: "evidence";
  /** Absent only when replaying `--evidence`. */
  readonly service?: string | undefined;
  readonly cluster?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly since: string;
  readonly evidence?: string | undefined;
  readonly out: string;
  readonly playbooks: readonly string[];
}

export type CliArgs =
  | DiagnoseArgs
  | EvidenceArgs
  | { readonly command: "evidence-verify"; readonly dir: string }
  | ClassifyArgs
  | RollbackArgs
  | ScaleArgs
  | { readonly command: "store-init" }
  | { readonly command: "demo"; readonly format: OutputFormat }
  | { readonly command: "help"; readonly topic?: string | undefined }
  | { readonly command: "version" };

export const USAGE = `Usage:
  ecs-medic diagnose <service> [--cluster C] [--region R] [--profile P] [--since 1h]
                               [--format text|json|slack] [--save-evidence FILE] [--playbooks DIR]
  ecs-medic diagnose [<service>] --evidence FILE      replay a saved snapshot, no AWS access
  ecs-medic demo                                      diagnose the bundled example incidents
  ecs-medic classify [--playbooks DIR]... [--unmatched]  JSON Lines on stdin → JSON Lines on stdout
                                                      (--unmatched: only the lines no rule covered)
  ecs-medic rollback <service> [--cluster C] [--region R] [--to TASKDEF] [--yes]
                                                      roll back to the last known-good revision (or --to)
  ecs-medic scale <service> [--cluster C] [--region R] (--to N | --factor F) [--yes]
                                                      emergency scale-out (default × 2, capped)
  ecs-medic evidence <service> [--cluster C] [--region R] [--since 6h] --out DIR
  ecs-medic evidence [<service>] --evidence FILE --out DIR
                                                      post-incident bundle: timeline.md, evidence.json,
                                                      manifest.json (SHA-256 of each), secrets redacted
  ecs-medic evidence verify DIR                       re-check a bundle against its manifest
                                                      (exit 0 intact, 1 tampered or missing file)
  ecs-medic store init                                create the DynamoDB table ECS_MEDIC_TABLE names
  ecs-medic help | --version

<service> is a name (searched in every cluster unless --cluster is given), CLUSTER/NAME, or a service ARN.
--since takes a duration (30m, 2h, 1d, 1h30m) or an ISO time; default 1h.

Exit codes: 0 healthy (or the action done) · 1 degraded or failing (or the action refused) · 2 usage error,
unknown or ambiguous service, bad playbook · 3 the steps that decide the verdict could not be read.`;

const COMMANDS = ["diagnose", "classify", "demo", "rollback", "scale", "store", "evidence"];

/** The usage lines of one command (and the notes under them), for `ecs-medic <command> --help`. */
export function helpFor(topic: string | undefined): string {
  if (!topic) return USAGE;
  const [head, notes] = [USAGE.slice(0, USAGE.indexOf("\n\n")), USAGE.slice(USAGE.indexOf("\n\n"))];
  const lines = head.split("\n");
  const out: string[] = ["Usage:"];
  let inTopic = false;
  for (const line of lines.slice(1)) {
    if (/^  ecs-medic /.test(line)) inTopic = line.startsWith(`  ecs-medic ${topic}`);
    if (inTopic) out.push(line);
  }
  return `${out.join("\n")}${notes}`;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** A region that cannot exist is a usage error, said before any call (the SDK would fail on a DNS lookup). */
function checkRegion(region: string | undefined): void {
  if (region !== undefined && !REGION.test(region))
    throw new UsageError(`--region ${region}: not an AWS region name (e.g. us-east-1, eu-west-2)`);
}

/** Parses argv (without `node script`). Throws `UsageError` with a message that says what to type instead. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  // `ecs-medic diagnose --help` is a question, not a mistake: answer it for that command.
  if (command && COMMANDS.includes(command) && rest.some((a) => a === "--help" || a === "-h"))
    return { command: "help", topic: command };
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
    case "evidence":
      return parseEvidence(rest);
    case "rollback":
      return parseRollback(rest);
    case "scale":
      return parseScale(rest);
    case "store":
      if (rest.length === 1 && rest[0] === "init") return { command: "store-init" };
      throw new UsageError(`store takes one subcommand: init`);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Where a service lives: the options every command that reads a live service takes. */
const WHERE = {
  cluster: { type: "string", short: "c" },
  region: { type: "string", short: "r" },
  profile: { type: "string", short: "p" },
} as const;

/** `node:util` parseArgs, strict, with its errors as usage errors (minus its advice about `--`). */
function strictParse<O extends ParseArgsConfig["options"]>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ""), { cause: error });
  }
}

function parseDiagnose(argv: readonly string[]): DiagnoseArgs {
  const { values, positionals } = strictParse(argv, {
    ...WHERE,
    since: { type: "string", short: "s", default: "1h" },
    format: { type: "string", short: "f", default: "text" },
    "save-evidence": { type: "string" },
    evidence: { type: "string", short: "e" },
    playbooks: { type: "string", multiple: true },
  });
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
  checkRegion(values.region);
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

function parseEvidence(argv: readonly string[]): CliArgs {
  if (argv[0] === "verify") {
    const dirs = argv.slice(1);
    if (dirs.length !== 1 || dirs[0]!.startsWith("-"))
      throw new UsageError("evidence verify takes one folder: ecs-medic evidence verify DIR");
    return { command: "evidence-verify", dir: dirs[0]! };
  }
  const { values, positionals } = strictParse(argv, {
    ...WHERE,
    since: { type: "string", short: "s", default: "6h" },
    evidence: { type: "string", short: "e" },
    out: { type: "string", short: "o" },
    playbooks: { type: "string", multiple: true },
  });
  if (positionals.length > 1) throw new UsageError(`evidence takes one service, got: ${positionals.join(" ")}`);
  const service = positionals[0];
  if (!service && !values.evidence) throw new UsageError("evidence needs a service name (or --evidence FILE)");
  if (!values.out) throw new UsageError("evidence needs --out DIR: the folder the bundle is written to");
  return {
    command: "evidence",
    service,
    cluster: values.cluster,
    region: values.region,
    profile: values.profile,
    since: values.since as string,
    evidence: values.evidence,
    out: values.out,
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

const TARGET_OPTIONS = {
  ...WHERE,
  yes: { type: "boolean", short: "y", default: false },
  to: { type: "string" },
} as const;

function parseTarget(verb: string, argv: readonly string[], extra: { factor?: boolean } = {}) {
  const { values, positionals } = strictParse(argv, {
    ...TARGET_OPTIONS,
    ...(extra.factor ? { factor: { type: "string" } as const } : {}),
  });
  if (positionals.length !== 1) throw new UsageError(`${verb} takes exactly one service (got ${positionals.length})`);
  checkRegion(values.region as string | undefined);
  return {
    values: values as {
      cluster?: string;
      region?: string;
      profile?: string;
      yes?: boolean;
      to?: string;
      factor?: string;
    },
    service: positionals[0]!,
  };
}

function parseRollback(argv: readonly string[]): RollbackArgs {
  const { values, service } = parseTarget("rollback", argv);
  return {
    command: "rollback",
    service,
    cluster: values.cluster,
    region: values.region,
    profile: values.profile,
    yes: values.yes === true,
    to: values.to,
  };
}

function parseScale(argv: readonly string[]): ScaleArgs {
  const { values, service } = parseTarget("scale", argv, { factor: true });
  if (values.to !== undefined && values.factor !== undefined)
    throw new UsageError("scale takes --to N or --factor F, not both");
  const to = values.to === undefined ? undefined : Number(values.to);
  if (to !== undefined && (!Number.isInteger(to) || to < 1 || to > 5000))
    throw new UsageError(`--to ${values.to}: give a whole number of tasks between 1 and 5000`);
  const factor = values.factor === undefined ? undefined : Number(values.factor);
  if (factor !== undefined && (!Number.isFinite(factor) || factor <= 1 || factor > 10))
    throw new UsageError(`--factor ${values.factor}: give a number above 1 and at most 10 (e.g. 1.5 or 2)`);
  return {
    command: "scale",
    service,
    cluster: values.cluster,
    region: values.region,
    profile: values.profile,
    yes: values.yes === true,
    to,
    factor,
  };
}
