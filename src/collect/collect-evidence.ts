import type { AwsClients } from "../aws/clients";
import { toStepError } from "../aws/step-error";
import type { Clock } from "../clock";
import { SCHEMA_VERSION, type Evidence, type StepError, type StepId, type StepRecord } from "../evidence/schema";
import { iso, type TimeWindow } from "../time-window";
import { TOOL_VERSION } from "../version";
import { loadServiceTasks, type ArchivedStoppedTasksReader } from "./lookups/tasks";
import { loadTargetGroups } from "./lookups/target-groups";
import { loadTaskDefinitions } from "./lookups/task-definitions";
import { loadLoadBalancers } from "./lookups/load-balancers";
import { loadNetworkPath } from "./lookups/network-path";
import { createRateLimiter, type RateLimiter } from "./rate-limiter";
import type { ResolvedTarget } from "./resolve-target";
import { DEFAULT_LIMITS, type CollectContext, type CollectLimits, type Step } from "./step";
import { STEPS } from "./steps";
import { toService } from "./convert";

export type ProgressEvent =
  | { readonly type: "start"; readonly steps: readonly { id: StepId; number: number | null; title: string }[] }
  | { readonly type: "step"; readonly record: StepRecord; readonly done: number; readonly total: number };

export interface CollectOptions {
  readonly clients: AwsClients;
  readonly resolved: ResolvedTarget;
  readonly window: TimeWindow;
  readonly clock: Clock;
  /** Overrides for the bounds in `DEFAULT_LIMITS`. */
  readonly limits?: Partial<CollectLimits>;
  /** The steps to run, in check order. @default STEPS */
  readonly steps?: readonly Step[];
  /** @default 2 requests/s with the real timer */
  readonly cloudTrailLimiter?: RateLimiter;
  /** Called as each step finishes (for progress on a TTY or in Slack). A throw is ignored: progress is best-effort. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Reads the stopped-task archive (src/store/stopped-tasks.ts `readArchivedStoppedTasks`) for the target and window;
   * step 3 merges it with ListTasks. Absent: ListTasks only (the CLI without a table).
   */
  readonly archivedStoppedTasks?: ArchivedStoppedTasksReader;
  /**
   * Let the snapshot go out without the slow steps that can wait (step 10, CloudTrail): when such a step is still
   * running `graceMs` after every other step finished, the snapshot holds its placeholder (`pending`) and
   * `completed` resolves to the full snapshot when it ends. Absent: every step is awaited.
   */
  readonly defer?: DeferOptions | undefined;
}

export interface DeferOptions {
  /** How long after every other step the deferrable ones may still take before the snapshot goes without them. */
  readonly graceMs: number;
  /** Waits `ms` (injected so tests need no real time). @default setTimeout */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** The snapshot, and — when a step was deferred — the full snapshot once it ends (never rejects). */
export interface DeferredEvidence {
  readonly evidence: Evidence;
  readonly completed?: Promise<Evidence> | undefined;
}

/**
 * Collects the evidence for every step concurrently and returns the snapshot. A step that throws becomes an
 * `error` record with an actionable reason; the others still complete. Never throws for an AWS failure.
 */
export async function collectEvidence(options: CollectOptions): Promise<Evidence> {
  const { evidence, completed } = await collectEvidenceDeferrable({ ...options, defer: undefined });
  return completed ? completed : evidence;
}

/**
 * `collectEvidence` that may hand back the snapshot before a deferrable step (one with a `placeholder`) ends: see
 * `CollectOptions.defer`. Without `defer` it waits for everything and never sets `completed`.
 */
export async function collectEvidenceDeferrable(options: CollectOptions): Promise<DeferredEvidence> {
  const { clock } = options;
  const steps = options.steps ?? STEPS;
  const startedAt = clock();
  const ctx = createCollectContext(options);
  const progress = (event: ProgressEvent) => {
    try {
      options.onProgress?.(event);
    } catch {
      // A broken progress display (a closed TTY, a failed Slack update) must not lose the evidence.
    }
  };
  progress({ type: "start", steps: steps.map(({ id, number, title }) => ({ id, number, title })) });

  let done = 0;
  const runs = steps.map(async (step) => {
    const record = await runStep(step, ctx, clock);
    done += 1;
    progress({ type: "step", record, done, total: steps.length });
    return record;
  });
  const deferrable = (step: Step) => options.defer !== undefined && step.placeholder !== undefined;
  const firstRecords = await Promise.all(steps.map((step, i) => (deferrable(step) ? undefined : runs[i])));
  const build = (records: readonly StepRecord[]) => assemble(options, ctx, startedAt, records);
  if (!options.defer || !steps.some(deferrable)) return { evidence: await build(await Promise.all(runs)) };

  // Every other step is done: the deferrable ones get the grace, then the snapshot goes without them.
  const all = Promise.all(runs);
  const inTime = await raceGrace(all, options.defer);
  if (inTime) return { evidence: await build(inTime) };
  const pendingAt = clock();
  const partial = steps.map(
    (step, i) =>
      firstRecords[i] ??
      ({
        id: step.id,
        status: "partial",
        data: step.placeholder!(ctx, pendingAt),
        errors: [],
        durationMs: elapsed(startedAt, clock),
      } as StepRecord),
  );
  return { evidence: await build(partial), completed: all.then(build) };
}

/** The records when they all end within the grace, else undefined (the timer never outlives the race). */
async function raceGrace(all: Promise<StepRecord[]>, defer: DeferOptions): Promise<StepRecord[] | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sleep = defer.sleep ?? ((ms: number) => new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))));
  try {
    return await Promise.race([all, sleep(defer.graceMs).then(() => undefined)]);
  } finally {
    clearTimeout(timer);
  }
}

async function assemble(
  options: CollectOptions,
  ctx: CollectContext,
  startedAt: Date,
  records: readonly StepRecord[],
): Promise<Evidence> {
  const contextErrors: StepError[] = [];
  const taskDefinitions = await ctx.taskDefinitions().then(
    (tds) => {
      contextErrors.push(...tds.errors);
      return tds.previous ? [tds.current, tds.previous] : [tds.current];
    },
    (error: unknown) => {
      contextErrors.push(toStepError(error, "ecs:DescribeTaskDefinition"));
      return [];
    },
  );

  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "ecs-medic", version: TOOL_VERSION },
    target: options.resolved.target,
    window: options.window,
    collectedAt: iso(startedAt),
    durationMs: elapsed(startedAt, options.clock),
    service: ctx.service,
    taskDefinitions,
    contextErrors,
    steps: [...records],
  } satisfies Evidence;
}

async function runStep(step: Step, ctx: CollectContext, clock: Clock): Promise<StepRecord> {
  const started = clock();
  try {
    const result = await step.collect(ctx);
    const durationMs = elapsed(started, clock);
    if (result.status === "skipped") {
      return {
        id: step.id,
        status: "skipped",
        data: result.data ?? null,
        errors: [],
        skipReason: result.skipReason,
        durationMs,
      } as StepRecord;
    }
    return {
      id: step.id,
      status: result.status,
      data: result.data,
      errors: [...result.errors],
      durationMs,
    } as StepRecord;
  } catch (error) {
    return {
      id: step.id,
      status: "error",
      data: null,
      errors: [toStepError(error)],
      durationMs: elapsed(started, clock),
    } as StepRecord;
  }
}

/**
 * The context every step gets, with the shared reads as lazily started, memoised promises. `collectEvidence`
 * builds one per run; tests build one to run a single step exactly as production does.
 */
export function createCollectContext(options: Omit<CollectOptions, "steps" | "onProgress">): CollectContext {
  const { clients, resolved, window, clock } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const service = toService(resolved.service);
  const targetGroups = memo(() => loadTargetGroups(clients.elbv2, service));
  return {
    clients,
    target: resolved.target,
    window,
    clock,
    limits,
    sdkService: resolved.service,
    service,
    cloudTrailLimiter: options.cloudTrailLimiter ?? createRateLimiter({ intervalMs: 500 }),
    taskDefinitions: memo(() => loadTaskDefinitions(clients.ecs, resolved.service)),
    tasks: memo(() => loadServiceTasks(clients.ecs, resolved.target, limits, options.archivedStoppedTasks, window)),
    targetGroups,
    loadBalancers: memo(() => loadLoadBalancers(clients.elbv2, targetGroups())),
    networkPath: memo(() =>
      loadNetworkPath(clients.ec2, service.network?.subnets ?? [], () =>
        targetGroups().then((t) => t.groups.find((g) => g.vpcId)?.vpcId),
      ),
    ),
  };
}

/** A lazily started, shared promise; a rejection is shared too (each dependent step reports it). */
function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= load());
}

function elapsed(since: Date, clock: Clock): number {
  return Math.max(0, Math.round(clock().getTime() - since.getTime()));
}
