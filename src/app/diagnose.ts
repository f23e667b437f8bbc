import { destroyClients } from "../aws/release";
import type { DeferredEvidence, ProgressEvent } from "../collect/collect-evidence";
import { toStepError } from "../aws/step-error";
import { diagnose as diagnoseEvidence } from "../diagnose/diagnose";
import type { Diagnosis } from "../diagnose/types";
import { DeadlineError, UsageError } from "../errors";
import type { Evidence, StepRecord } from "../evidence/schema";
import { loadEvidence } from "../evidence/snapshot";
import { CATALOGUE } from "../steps/catalogue";
import { parseWindow } from "../time-window";
import type { AwsClients } from "../aws/clients";
import type { Playbooks } from "../diagnose/load-playbooks";
import type { AwsScope, Deps } from "./deps";
import { describeFailure, type Failure } from "./failure";

/** What to diagnose. */
export interface DiagnoseRequest {
  /** The service as typed: a name, `cluster/name` or an ARN. */
  readonly service: string;
  readonly cluster?: string | undefined;
  /** Account/region to read; unset → the SDK's chain (and the Lambda's own region). */
  readonly scope?: AwsScope | undefined;
  /** Window text (`2h`, `30m`, an ISO time), parsed against `deps.clock`. @default "1h" */
  readonly since?: string | undefined;
  /** Replay this saved snapshot instead of reading AWS (no client is created). */
  readonly replay?: { readonly file: string } | { readonly evidence: Evidence } | undefined;
  /** Called as the run advances: the terminal spinner and the Slack progress message share this hook. */
  readonly onProgress?: ((event: DiagnoseProgress) => void) | undefined;
  /** Give up on collection after this long, naming the steps still running. @default no limit */
  readonly budgetMs?: number | undefined;
  /**
   * Keep CloudTrail (step 10) off the critical path: when its lookups are still running `graceMs` after every other
   * step is done, the result comes back without them (step 10 "recent changes: still reading", pending in the
   * snapshot) and `later` resolves to the full result when they end (within `budgetMs`). `sleep` waits the grace
   * (injected by tests). The benchmark can pass `{ graceMs: 0 }` and time both the result and `later`.
   * @default off: everything is awaited
   */
  readonly deferChanges?: { readonly graceMs?: number; readonly sleep?: (ms: number) => Promise<void> } | undefined;
}

/** The grace step 10 gets after every other step, when deferral is asked for without one. */
export const DEFAULT_CHANGES_GRACE_MS = 1_500;

export type DiagnoseProgress =
  { readonly type: "resolving"; readonly service: string; readonly cluster?: string | undefined } | ProgressEvent;

export interface DiagnoseOk {
  readonly ok: true;
  readonly evidence: Evidence;
  readonly diagnosis: Diagnosis;
  /** Every step that reads AWS beyond DescribeServices failed: the report says little. */
  readonly nothingCollected: boolean;
  /**
   * The steps the verdict rests on could not be read (stopped tasks, or the target health of a service behind a
   * load balancer) or nothing was: the verdict is a guess, and a deploy gate must not pass on it (CLI exit 3).
   */
  readonly undecided: boolean;
  /**
   * Only with `deferChanges`, when step 10 was still reading: the full result once it ends (never rejects; a step
   * that overran the budget ends as an `error` record). The verdict does not depend on step 10 (a recent change is a
   * suspect at most, never a failure), so it is the same; the suspect change and step 10's line are new.
   */
  readonly later?: Promise<DiagnoseOk> | undefined;
}

export type DiagnoseResult = DiagnoseOk | { readonly ok: false; readonly failure: Failure };

/**
 * The diagnose use case, shared by the CLI, the Slack worker and the Socket Mode dev server: resolve the target →
 * collect every step concurrently (or replay a snapshot), with the playbooks parsed while the first read is in
 * flight (a broken rule is reported at once, without waiting on the network) → diagnose (pure). Returns plain data; never throws — every failure comes back as a
 * `Failure` in the words a person reads.
 */
export async function diagnose(deps: Deps, request: DiagnoseRequest): Promise<DiagnoseResult> {
  try {
    const { playbooks, evidence, completed } = request.replay
      ? { playbooks: deps.playbooks(), evidence: await replay(request), completed: undefined }
      : await overlapped(deps, request);
    const result = judge(evidence, playbooks);
    if (!completed) return result;
    const later = completed.then(
      (full) => judge(full, playbooks),
      (error: unknown) => judge(withStepError(evidence, "changes", error), playbooks),
    );
    return { ...result, later };
  } catch (error) {
    return { ok: false, failure: describeFailure(error, { subject: subjectOf(request), logger: deps.logger }) };
  }
}

/** The pure part: the diagnosis of a snapshot and what the callers need to know about it. */
function judge(evidence: Evidence, playbooks: Playbooks): DiagnoseOk {
  const diagnosis = diagnoseEvidence(evidence, playbooks);
  const empty = nothingCollected(evidence);
  return { ok: true, evidence, diagnosis, nothingCollected: empty, undecided: empty || verdictUnreadable(evidence) };
}

/** The snapshot with a deferred step that never ended (deadline, crash) recorded as an error. */
function withStepError(evidence: Evidence, id: "changes", error: unknown): Evidence {
  const stepError = toStepError(error);
  return {
    ...evidence,
    steps: evidence.steps.map((s) =>
      s.id === id
        ? ({ id, status: "error", data: null, errors: [stepError], durationMs: s.durationMs } as StepRecord)
        : s,
    ),
  };
}

/**
 * Collection starts first and the playbooks (YAML + validation, CPU-bound) are parsed while its first request is in
 * flight. A playbook error still comes back at once, without waiting on the network: the clients are destroyed,
 * which ends the reads (nothing is ever changed by a diagnosis).
 */
async function overlapped(deps: Deps, request: DiagnoseRequest) {
  let clients: AwsClients | undefined;
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  const collecting = collect(deps, request, (opened) => {
    clients = opened;
    started();
  });
  const settled = collecting.then(
    () => undefined,
    () => undefined,
  );
  // Wait until the first read is sent (or collection ended early), then one macrotask for the SDK to reach the socket.
  await Promise.race([inFlight, settled]);
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  let playbooks: Playbooks;
  try {
    playbooks = deps.playbooks();
  } catch (error) {
    if (clients) destroyClients(clients);
    throw error;
  }
  const { evidence, completed } = await collecting;
  return { playbooks, evidence, completed };
}

/** The name a person typed, without cluster or ARN prefix, for headlines. */
function subjectOf(request: DiagnoseRequest): string {
  return request.service.split("/").pop()?.split(":").pop() || request.service || "the snapshot";
}

async function replay(request: DiagnoseRequest): Promise<Evidence> {
  const source = request.replay!;
  const evidence = "evidence" in source ? source.evidence : await loadEvidence(source.file);
  const asked = subjectOf(request);
  if (request.service !== "" && asked !== evidence.target.service) {
    const from = "file" in source ? source.file : "the snapshot";
    throw new UsageError(`${from} holds evidence for ${evidence.target.service}, not ${asked}`);
  }
  return evidence;
}

async function collect(
  deps: Deps,
  request: DiagnoseRequest,
  onOpened: (clients: AwsClients) => void = () => undefined,
): Promise<DeferredEvidence> {
  const window = parseWindow(request.since ?? "1h", deps.clock);
  const running = new Set<string>();
  const titles = new Map(CATALOGUE.map((e) => [e.id as string, e.title]));
  const emit = (event: DiagnoseProgress) => {
    try {
      request.onProgress?.(event);
    } catch {
      // Progress is best-effort: a failing spinner or Slack update never costs the diagnosis.
    }
  };
  const onProgress = (event: ProgressEvent) => {
    if (event.type === "start") for (const s of event.steps) running.add(s.id);
    else running.delete(event.record.id);
    emit(event);
  };
  const work = async () => {
    // The collectors (and the SDK commands they import) load only when AWS is read, never for a replay.
    const [{ resolveTarget }, { collectEvidenceDeferrable }] = await Promise.all([
      import("../collect/resolve-target"),
      import("../collect/collect-evidence"),
    ]);
    const clients = await deps.aws(request.scope ?? {});
    // With a deferred step the clients live until it ends: its reads are still in flight.
    let handedOff = false;
    try {
      emit({ type: "resolving", service: request.service, cluster: request.cluster });
      const resolving = resolveTarget(clients.ecs, { service: request.service, cluster: request.cluster });
      onOpened(clients);
      const resolved = await resolving;
      const defer = request.deferChanges;
      const collected = await collectEvidenceDeferrable({
        clients,
        resolved,
        window,
        clock: deps.clock,
        cloudTrailLimiter: deps.cloudTrailLimiter,
        limits: deps.limits,
        onProgress,
        ...(deps.stoppedTaskArchive ? { archivedStoppedTasks: deps.stoppedTaskArchive } : {}),
        ...(defer ? { defer: { graceMs: defer.graceMs ?? DEFAULT_CHANGES_GRACE_MS, sleep: defer.sleep } } : {}),
      });
      if (!collected.completed) return collected;
      handedOff = true;
      const release = () => destroyClients(clients);
      collected.completed.then(release, release);
      return collected;
    } finally {
      if (!handedOff) destroyClients(clients);
    }
  };
  const pending = () => [...running].map((id) => titles.get(id) ?? id);
  if (request.budgetMs === undefined) return work();
  const budgetMs = request.budgetMs;
  const startedAt = Date.now();
  const collected = await withDeadline(budgetMs, pending, work);
  if (!collected.completed) return collected;
  // The deferred step gets what is left of the budget; past it, it ends as an error record (see `withStepError`).
  const left = Math.max(0, budgetMs - (Date.now() - startedAt));
  const completed = collected.completed;
  return { ...collected, completed: withDeadline(left, pending, () => completed) };
}

/** Runs `work` but gives up after `budgetMs`, naming what is still running; the timer never outlives the work. */
async function withDeadline<T>(budgetMs: number, pending: () => readonly string[], work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(budgetMs, pending())), budgetMs);
  });
  try {
    return await Promise.race([work(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Steps whose failure leaves the verdict unknown: what failed (stopped tasks) and what serves (target health). */
const VERDICT_STEPS = new Set(["stopped-tasks", "target-health"]);

function verdictUnreadable(evidence: Evidence): boolean {
  return evidence.steps.some((s) => VERDICT_STEPS.has(s.id) && s.status === "error");
}

/** Every step that reads AWS failed: the report is empty, whatever step 1 (read from DescribeServices) says. */
function nothingCollected(evidence: Evidence): boolean {
  return evidence.steps
    .filter((s) => s.id !== "service-events" && s.id !== "deployment")
    .every((s) => s.status === "error");
}
