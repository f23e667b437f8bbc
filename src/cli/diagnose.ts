import { createDeps, jsonLogger, type Deps, type DepsOptions } from "../app/deps";
import { diagnose, type DiagnoseProgress } from "../app/diagnose";
import type { Failure } from "../app/failure";
import type { Clock } from "../clock";
import type { Diagnosis } from "../diagnose/types";
import { ErrorCode } from "../errors";
import type { Evidence } from "../evidence/schema";
import { saveEvidence } from "../evidence/snapshot";
import { diagnosisMessage } from "../render/slack";
import { renderChangesUpdate } from "../render/terminal/changes";
import { renderDiagnosisText } from "../render/terminal/report";
import type { DiagnoseArgs, OutputFormat } from "./args";
import { ExitCode } from "./exit-codes";

/** The CLI's edges, injected so tests drive it without a terminal, the wall clock or real AWS. */
export interface CliIo {
  readonly stdin?: import("node:stream").Readable;
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  /** Overrides of the use-case dependencies (tests: mocked AWS clients, an instant CloudTrail limiter). */
  readonly deps?: Omit<DepsOptions, "env" | "clock">;
}

/**
 * The region as the AWS CLI finds it: --region, then AWS_REGION, then AWS_DEFAULT_REGION (which the SDK alone does not
 * read); unset → the SDK's chain (the profile's region).
 */
export function regionOf(region: string | undefined, env: CliIo["env"]): string | undefined {
  return region ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined);
}

/** The dependencies of one CLI run: the defaults of `createDeps`, the process's env and clock, logs on stderr. */
export function cliDeps(io: CliIo, playbookFolders: readonly string[] = []): Deps {
  return createDeps({
    env: io.env,
    clock: io.clock,
    playbookFolders,
    // Errors (with the correlation id an unexpected failure quotes) always; the rest with ECS_MEDIC_DEBUG.
    logger: cliLogger(io),
    ...io.deps,
  });
}

/** `ecs-medic diagnose`: the diagnose use case, rendered. Returns the exit code; never throws. */
export async function runDiagnose(args: DiagnoseArgs, io: CliIo): Promise<number> {
  const deps = cliDeps(io, args.playbooks);
  const progress = !args.evidence && io.stderr.isTTY ? progressPrinter(io) : undefined;
  const result = await diagnose(deps, {
    service: args.service ?? "",
    cluster: args.cluster,
    scope: { region: regionOf(args.region, io.env), profile: args.profile },
    since: args.since,
    replay: args.evidence ? { file: args.evidence } : undefined,
    onProgress: progress?.onProgress,
    // A person at a terminal reads the report while CloudTrail is still paced; JSON, Slack and pipes get it whole.
    deferChanges: args.format === "text" && !args.evidence && io.stdout.isTTY ? {} : undefined,
  });
  progress?.clear();
  if (!result.ok) return reportFailure(result.failure, io);

  const color = args.format === "text" && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  // The report first: a snapshot that cannot be saved must not cost the person what was collected.
  io.stdout.write(render(args.format, result.diagnosis, result.evidence, color));
  // Step 10 went out as "still reading": print what it found when it ends. The exit code is the final result's,
  // which is the same verdict (a recent change is a suspect, never a failure), so waiting costs a gate nothing.
  const final = result.later ? await result.later : result;
  if (final !== result) io.stdout.write(renderChangesUpdate(result.diagnosis, final.diagnosis, { color, width: 80 }));
  const { evidence, diagnosis } = final;
  if (args.saveEvidence) {
    try {
      await saveEvidence(args.saveEvidence, evidence);
      io.stderr.write(`evidence saved to ${args.saveEvidence}\n`);
    } catch (error) {
      io.stderr.write(`ecs-medic: could not save evidence to ${args.saveEvidence}: ${fsReason(error)}\n`);
      return ExitCode.Usage;
    }
  }
  if (final.undecided) {
    if (!final.nothingCollected)
      io.stderr.write(
        "ecs-medic: the steps the verdict rests on (stopped tasks, target health) could not be read — exit 3\n",
      );
    return ExitCode.NothingCollected;
  }
  // A deploy gate passes only a healthy service: degraded (serving, but something fails) and failing both stop it.
  return diagnosis.verdict === "healthy" ? ExitCode.Ok : ExitCode.Failed;
}

function render(format: OutputFormat, diagnosis: Diagnosis, evidence: Evidence, color: boolean): string {
  switch (format) {
    case "text":
      return renderDiagnosisText(diagnosis, { color, width: 80 });
    case "json":
      return `${JSON.stringify(diagnosis, null, 2)}\n`;
    case "slack":
      return `${JSON.stringify(diagnosisMessage(diagnosis, { region: evidence.target.region, evidence }), null, 2)}\n`;
  }
}

/** A file-system error's code and path ("EACCES: /x"), never a stack. */
function fsReason(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  return typeof e.message === "string" ? e.message : String(e.code ?? "unknown error");
}

/** One self-overwriting status line on a TTY: "collecting: 6/11 · waiting on …". */
function progressPrinter(io: CliIo) {
  let shown = false;
  const status = (text: string) => {
    io.stderr.write(`\r\x1b[2K${text}`);
    shown = true;
  };
  const clear = () => {
    if (shown) io.stderr.write("\r\x1b[2K");
    shown = false;
  };
  const pending = new Set<string>();
  const onProgress = (event: DiagnoseProgress) => {
    switch (event.type) {
      case "resolving":
        status(`resolving ${event.service}${event.cluster ? ` in ${event.cluster}` : ""} …`);
        return;
      case "start":
        for (const s of event.steps) pending.add(s.id);
        status(`collecting: 0/${event.steps.length}`);
        return;
      case "step":
        pending.delete(event.record.id);
        if (event.done === event.total) clear();
        else
          status(
            `collecting: ${event.done}/${event.total} · waiting on ${[...pending].slice(0, 3).join(", ")}${pending.size > 3 ? " …" : ""}`,
          );
    }
  };
  return { clear, onProgress };
}

/** The terminal's rendering of a failure (the words come from the one table in app/failure.ts). */
export function reportFailure(failure: Failure, io: CliIo): number {
  switch (failure.code) {
    case ErrorCode.TargetAmbiguous:
      io.stderr.write(`ecs-medic: ${failure.detail}\n`);
      for (const c of failure.candidates ?? [])
        io.stderr.write(`  ecs-medic diagnose ${c.service} --cluster ${c.cluster}\n`);
      return ExitCode.Usage;
    case ErrorCode.AwsCallFailed:
      io.stderr.write(`ecs-medic: cannot collect evidence: ${failure.hint}\n  ${failure.detail}\n`);
      return ExitCode.NothingCollected;
    case ErrorCode.CollectionFailed:
    case ErrorCode.DeadlineExceeded:
      io.stderr.write(`ecs-medic: ${failure.detail}${failure.hint ? `\n  ${failure.hint}` : ""}\n`);
      return ExitCode.NothingCollected;
    case ErrorCode.Internal:
      io.stderr.write(`ecs-medic: ${failure.title}. ${failure.detail}\n  ${failure.hint ?? ""}\n`);
      return ExitCode.NothingCollected;
    default:
      io.stderr.write(`ecs-medic: ${failure.detail}\n`);
      return ExitCode.Usage;
  }
}

function cliLogger(io: CliIo) {
  const json = jsonLogger((line) => io.stderr.write(`${line}\n`), { tool: "ecs-medic" });
  const debug = Boolean(io.env.ECS_MEDIC_DEBUG);
  return {
    debug: debug ? json.debug : () => undefined,
    info: debug ? json.info : () => undefined,
    warn: debug ? json.warn : () => undefined,
    error: json.error,
  };
}
