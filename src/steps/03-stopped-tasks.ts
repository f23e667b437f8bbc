import type { StoppedTasksData, Task } from "../evidence/schema";
import { headline, shortDigest } from "../util/format";
import type { StepEntry } from "./entry";

/** Reason groups named in the summary line; the rest are counted. */
const TOP_GROUPS = 3;

export const stoppedTasksEntry: StepEntry<"stopped-tasks"> = {
  id: "stopped-tasks",
  number: 3,
  title: "Stopped tasks",
  summarize(data) {
    const failures =
      data.failures.length > 0
        ? `; ${data.failures.length} not described (${[...new Set(data.failures.map((f) => f.reason))].join(", ")})`
        : "";
    return `${summarizeStopped(data)}; ${summarizeRunning(data.running)}${failures}`;
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
  const digests =
    ranked.length === 1 ? shortDigest(ranked[0]![0]) : ranked.map(([d, n]) => `${shortDigest(d)} ×${n}`).join(", ");
  return `${running.length} running, digest${ranked.length > 1 ? "s" : ""} ${digests}`;
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
