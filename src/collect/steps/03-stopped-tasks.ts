import type { StoppedTasksData, Task } from "../../evidence/schema";
import { outcome, type Step } from "../step";

/** Reason groups named in the summary line; the rest are counted. */
const TOP_GROUPS = 3;

/**
 * Step 3 — why the service's tasks stopped, and what is running now.
 *
 * Uses the shared task lookup (`ctx.tasks()`: ListTasks STOPPED and RUNNING for the service, paginated and
 * bounded, DescribeTasks in batches of 100). ECS keeps a stopped task listed for only about an hour, so every
 * stopped task still listed is kept, newest `stoppedAt` first. Both the task-level `stopCode`/`stoppedReason`
 * and each container's `reason`/`exitCode` are kept: start-up failures (secrets, registry auth, ENI) show in the
 * former, OOM kills and crashes in the latter while the task-level text just says "Essential container in task
 * exited".
 */
export const stoppedTasksStep: Step<"stopped-tasks"> = {
  id: "stopped-tasks",
  number: 3,
  title: "Stopped tasks",
  async collect(ctx) {
    const tasks = await ctx.tasks();
    const data: StoppedTasksData = {
      stopped: [...tasks.stopped].sort(newestStoppedFirst),
      stoppedListed: tasks.stoppedListed,
      truncated: tasks.truncated,
      running: [...tasks.running],
    };
    return outcome(data);
  },
  summarize(data) {
    return `${summarizeStopped(data)}; ${summarizeRunning(data.running)}`;
  },
};

function summarizeStopped(data: StoppedTasksData): string {
  if (data.stopped.length === 0) return "no stopped tasks listed";
  const groups = new Map<string, number>();
  for (const task of data.stopped) {
    const key = stopSignature(task);
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  // Map iteration keeps first-seen (newest) order among equal counts.
  const ranked = [...groups].sort((a, b) => b[1] - a[1]);
  const shown = ranked.slice(0, TOP_GROUPS).map(([key, count]) => `${key} ×${count}`);
  const rest = ranked.slice(TOP_GROUPS).reduce((sum, [, count]) => sum + count, 0);
  if (rest > 0) shown.push(`${rest} other`);
  const count = data.truncated ? `${data.stopped.length}+` : `${data.stopped.length}`;
  return `${count} stopped: ${shown.join("; ")}`;
}

/** One group per distinct task-level reason plus container exits, e.g. `'Essential container in task exited' (app exit 137, OutOfMemoryError: …)`. */
function stopSignature(task: Task): string {
  const taskReason = task.stoppedReason ? headline(task.stoppedReason) : (task.stopCode ?? "no reason given");
  const quoted = /^[A-Za-z]+(?:Error|Exception):/.test(taskReason) ? taskReason : `'${taskReason}'`;
  const containers = task.containers.flatMap((c) => {
    // A pull failure repeats the task-level reason on the container: say it once.
    const reason = c.reason && headline(c.reason) !== taskReason ? headline(c.reason) : undefined;
    if (c.exitCode === undefined && !reason) return [];
    return [[`${c.name}${c.exitCode !== undefined ? ` exit ${c.exitCode}` : ""}`, reason].filter(Boolean).join(", ")];
  });
  return containers.length > 0 ? `${quoted} (${containers.join(" / ")})` : quoted;
}

/**
 * The stable part of an ECS reason, so tasks that failed the same way group together: `SomeError: first clause`
 * for error-prefixed texts (later clauses carry per-task ARNs and session names), ARNs dropped elsewhere.
 */
function headline(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const prefixed = /^([A-Za-z]+(?:Error|Exception)): ([^:]+)/.exec(flat);
  const core = prefixed
    ? `${prefixed[1]}: ${prefixed[2]!.trim()}`
    : flat
        .replace(/\s+(?:in\s+)?\((?:target-group\s+)?arn:[^)]*\)/g, "")
        .replace(/arn:aws[\w-]*:\S+/g, "…");
  return core.length > max ? `${core.slice(0, max - 1)}…` : core;
}

/** Running tasks and the image digests they report, most common first (more than one means digest drift). */
function summarizeRunning(running: readonly Task[]): string {
  const perDigest = new Map<string, number>();
  for (const task of running) {
    for (const digest of new Set(task.containers.flatMap((c) => (c.imageDigest ? [c.imageDigest] : [])))) {
      perDigest.set(digest, (perDigest.get(digest) ?? 0) + 1);
    }
  }
  if (perDigest.size === 0) return `${running.length} running`;
  const ranked = [...perDigest].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const digests = ranked.length === 1 ? shortDigest(ranked[0]![0]) : ranked.map(([d, n]) => `${shortDigest(d)} ×${n}`).join(", ");
  return `${running.length} running, digest${ranked.length > 1 ? "s" : ""} ${digests}`;
}

function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(":");
  return hex ? `${algorithm}:${hex.slice(0, 8)}…` : digest;
}

/** The shared lookup already sorts by `stoppedAt`; tasks without it fall back to `stoppingAt`, then `createdAt`. */
function newestStoppedFirst(a: Task, b: Task): number {
  const time = (t: Task) => t.stoppedAt ?? t.stoppingAt ?? t.createdAt ?? "";
  return time(b).localeCompare(time(a));
}
