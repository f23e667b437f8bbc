import { createClients, destroyClients, type AwsClients, type ClientOptions } from "../aws/clients";
import { toStepError } from "../aws/step-error";
import type { Clock } from "../clock";
import { collectEvidence, type ProgressEvent } from "../collect/collect-evidence";
import type { CollectLimits } from "../collect/step";
import { resolveTarget } from "../collect/resolve-target";
import type { RateLimiter } from "../collect/rate-limiter";
import { EcsMedicError, TargetAmbiguousError } from "../errors";
import type { Evidence } from "../evidence/schema";
import { diagnose } from "../diagnose/diagnose";
import { loadEvidence, saveEvidence } from "../evidence/snapshot";
import { renderDiagnosisText } from "../render/diagnosis-text";
import { parseWindow } from "../time-window";
import type { DiagnoseArgs, OutputFormat } from "./args";
import type { Diagnosis } from "../diagnose/types";
import { diagnosisMessage } from "../slack/blocks";
import { ExitCode } from "./exit-codes";
import { loadPlaybooksOrReport } from "./playbooks";

/** The CLI's edges, injected so tests drive it without a terminal, the wall clock or real AWS. */
export interface CliIo {
  readonly stdin?: import("node:stream").Readable;
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean | undefined };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly createClients?: (options: ClientOptions) => AwsClients;
  readonly cloudTrailLimiter?: RateLimiter;
  readonly limits?: Partial<CollectLimits>;
}

/** `ecs-medic diagnose`: resolve → collect (or replay) → render. Returns the exit code; never throws. */
export async function runDiagnose(args: DiagnoseArgs, io: CliIo): Promise<number> {
  let evidence: Evidence;
  try {
    evidence = args.evidence ? await replay(args) : await collect(args, io);
  } catch (error) {
    return reportFailure(error, io);
  }

  if (args.saveEvidence) {
    try {
      await saveEvidence(args.saveEvidence, evidence);
      io.stderr.write(`evidence saved to ${args.saveEvidence}\n`);
    } catch (error) {
      io.stderr.write(`ecs-medic: could not save evidence to ${args.saveEvidence}: ${(error as Error).message}\n`);
      return ExitCode.Usage;
    }
  }

  const playbooks = loadPlaybooksOrReport(args.playbooks, io);
  if (!playbooks) return ExitCode.Usage;
  const diagnosis = diagnose(evidence, playbooks);
  const color = args.format === "text" && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  io.stdout.write(render(args.format, diagnosis, evidence, color));
  if (nothingCollected(evidence)) return ExitCode.NothingCollected;
  return diagnosis.steps.some((s) => s.status === "fail") ? ExitCode.Failed : ExitCode.Ok;
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

/** Every step that reads AWS failed: the report is empty, whatever step 1 (read from DescribeServices) says. */
function nothingCollected(evidence: Evidence): boolean {
  return evidence.steps
    .filter((s) => s.id !== "service-events" && s.id !== "deployment")
    .every((s) => s.status === "error");
}

async function replay(args: DiagnoseArgs): Promise<Evidence> {
  const evidence = await loadEvidence(args.evidence!);
  const asked = args.service?.split("/").pop()?.split(":").pop();
  if (asked && asked !== evidence.target.service) {
    throw new EcsMedicError("USAGE", `${args.evidence} holds evidence for ${evidence.target.service}, not ${asked}`);
  }
  return evidence;
}

async function collect(args: DiagnoseArgs, io: CliIo): Promise<Evidence> {
  const window = parseWindow(args.since, io.clock);
  const clients = (io.createClients ?? createClients)({ region: args.region, profile: args.profile });
  try {
    const progress = io.stderr.isTTY ? progressPrinter(io) : undefined;
    progress?.status(`resolving ${args.service}${args.cluster ? ` in ${args.cluster}` : ""} …`);
    let resolved;
    try {
      resolved = await resolveTarget(clients.ecs, { service: args.service!, cluster: args.cluster });
    } finally {
      progress?.clear();
    }
    return await collectEvidence({
      clients,
      resolved,
      window,
      clock: io.clock,
      cloudTrailLimiter: io.cloudTrailLimiter,
      limits: io.limits,
      onProgress: progress?.onProgress,
    });
  } finally {
    destroyClients(clients);
  }
}

/** One self-overwriting status line on a TTY: "collecting payment-api: 6/11 (…)". */
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
  const onProgress = (event: ProgressEvent) => {
    if (event.type === "start") {
      for (const s of event.steps) pending.add(s.id);
      status(`collecting: 0/${event.steps.length}`);
      return;
    }
    pending.delete(event.record.id);
    if (event.done === event.total) clear();
    else
      status(
        `collecting: ${event.done}/${event.total} · waiting on ${[...pending].slice(0, 3).join(", ")}${pending.size > 3 ? " …" : ""}`,
      );
  };
  return { status, clear, onProgress };
}

function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof TargetAmbiguousError) {
    io.stderr.write(`ecs-medic: ${error.message}\n`);
    for (const c of error.candidates) io.stderr.write(`  ecs-medic diagnose ${c.service} --cluster ${c.cluster}\n`);
    return ExitCode.Usage;
  }
  if (error instanceof EcsMedicError) {
    io.stderr.write(`ecs-medic: ${error.message}\n`);
    return error.code === "COLLECTION_FAILED" ? ExitCode.NothingCollected : ExitCode.Usage;
  }
  // An AWS failure before any step could run (no credentials, AccessDenied on DescribeServices, no network).
  const stepError = toStepError(error, "ecs:DescribeServices");
  io.stderr.write(`ecs-medic: cannot collect evidence: ${stepError.hint}\n  ${stepError.code}: ${stepError.message}\n`);
  return ExitCode.NothingCollected;
}
