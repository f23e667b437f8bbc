import type { TaskStoppedSignal } from "../alarms/parse";
import type { Task } from "../evidence/schema";
import type { TimeWindow } from "../time-window";
import type { IncidentStore } from "./incidents";

/**
 * The stopped-task archive: ECS keeps a stopped task visible for about an hour, so a diagnosis typed at 03:40 for a
 * 02:10 crash loop finds nothing in ListTasks. Every "ECS Task State Change" STOPPED event of a watched service is
 * kept here (pk `stopped#<clusterArn>#<service>`, sk `<stoppedAt>#<taskId>`, TTL `ttlDays`, default 14), and the
 * stopped-tasks collector merges it with ListTasks.
 */

export const DEFAULT_ARCHIVE_TTL_DAYS = 14;
/** Archived tasks read per diagnosis at most (newest first). */
export const MAX_ARCHIVED_TASKS = 200;

function pk(clusterArn: string, service: string): string {
  return `stopped#${clusterArn}#${service}`;
}

function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf("/") + 1);
}

/** Stores one STOPPED event; repeated or older events of the same task never overwrite a newer one. */
export async function archiveStoppedTask(
  store: IncidentStore,
  signal: TaskStoppedSignal,
  options: { readonly now: Date; readonly ttlDays?: number },
): Promise<void> {
  if (!signal.service)
    throw new Error(`task ${signal.taskArn} is not a service task (group ${signal.group ?? "none"})`);
  const stoppedAt = signal.stoppedAt ?? signal.stoppingAt ?? options.now.toISOString();
  const ttlDays = options.ttlDays ?? DEFAULT_ARCHIVE_TTL_DAYS;
  const task: Task = {
    taskArn: signal.taskArn,
    taskDefinitionArn: signal.taskDefinitionArn,
    group: signal.group,
    startedBy: signal.startedBy,
    lastStatus: signal.lastStatus,
    desiredStatus: signal.desiredStatus,
    launchType: signal.launchType,
    capacityProviderName: signal.capacityProviderName,
    platformVersion: signal.platformVersion,
    availabilityZone: signal.availabilityZone,
    createdAt: iso(signal.createdAt),
    pullStartedAt: iso(signal.pullStartedAt),
    pullStoppedAt: iso(signal.pullStoppedAt),
    startedAt: iso(signal.startedAt),
    stoppingAt: iso(signal.stoppingAt),
    stoppedAt: iso(stoppedAt),
    stopCode: signal.stopCode,
    stoppedReason: signal.stoppedReason,
    subnetId: signal.subnetId,
    privateIPv4Address: signal.privateIPv4Address,
    containers: signal.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageDigest: c.imageDigest,
      runtimeId: c.runtimeId,
      lastStatus: c.lastStatus,
      exitCode: c.exitCode,
      reason: c.reason,
    })),
  };
  await store.putArchive(
    pk(signal.clusterArn, signal.service),
    `${iso(stoppedAt)}#${taskId(signal.taskArn)}`,
    { task: JSON.stringify(task), archivedAt: options.now.toISOString() },
    signal.version ?? 0,
    Math.floor(options.now.getTime() / 1000) + ttlDays * 24 * 3600,
  );
}

/**
 * The archived stopped tasks of a service that stopped within `window`, newest first, in the snapshot's `Task` shape
 * and marked `archived: true`. `cluster` is the cluster ARN (the archive key; the collector's target has it).
 */
export async function readArchivedStoppedTasks(
  store: IncidentStore,
  cluster: string,
  service: string,
  window: Pick<TimeWindow, "since" | "until">,
  limit = MAX_ARCHIVED_TASKS,
): Promise<Task[]> {
  const items = await store.queryArchive(
    pk(cluster, service),
    iso(window.since) ?? window.since,
    `${iso(window.until)}#~`,
    limit,
  );
  const tasks: Task[] = [];
  for (const item of items) {
    if (typeof item.task !== "string") continue;
    try {
      tasks.push({ ...(JSON.parse(item.task) as Task), archived: true });
    } catch {
      // A damaged item is skipped rather than failing the diagnosis.
    }
  }
  return tasks.sort(newestStoppedFirst);
}

/**
 * ListTasks' stopped tasks plus the archive's: one per task ARN (the ListTasks one wins: it is described now, and is
 * complete), newest `stoppedAt` first.
 */
export function mergeStoppedTasks(listed: readonly Task[], archived: readonly Task[]): Task[] {
  const seen = new Set(listed.map((t) => t.taskArn));
  return [...listed, ...archived.filter((t) => !seen.has(t.taskArn))].sort(newestStoppedFirst);
}

/** Same order as the task lookup's (src/collect/lookups/tasks.ts), kept here so the store does not import collect/. */
function newestStoppedFirst(a: Task, b: Task): number {
  const time = (t: Task) => t.stoppedAt ?? t.stoppingAt ?? t.createdAt ?? "";
  return time(b).localeCompare(time(a));
}

/** ISO with seconds precision and `Z`, as the snapshot keeps timestamps (sort keys compare as text). */
function iso(value: string | undefined): string | undefined;
function iso(value: string): string;
function iso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}
