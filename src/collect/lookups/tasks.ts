import { DescribeTasksCommand, paginateListTasks, type DesiredStatus, type ECSClient } from "@aws-sdk/client-ecs";
import { awsCall, chunk, collectPages } from "../../aws/aws-call";
import { toStepError } from "../../aws/step-error";
import type { StepError, Target, Task } from "../../evidence/schema";
import { mergeStoppedTasks } from "../../store/stopped-tasks";
import type { TimeWindow } from "../../time-window";
import { compact, toTask } from "../convert";
import { EmptyAnswerError } from "../empty-answer";
import type { CollectLimits, ServiceTasks, TaskFailure } from "../step";

/** DescribeTasks accepts at most 100 task ARNs per call. */
const DESCRIBE_BATCH = 100;
/** ListTasks pages read at most per status; ECS may answer empty pages that still carry a nextToken. */
const MAX_LIST_PAGES = 50;

/**
 * Lists the service's stopped and running tasks (both paginated, bounded) and describes all of them together in
 * batches of 100, so a 500-task service costs 5 DescribeTasks calls. ListTasks returns stopped tasks in no
 * documented order, so they are sorted by `stoppedAt`, newest first, after describing.
 *
 * A failed batch does not lose the others: its error is kept in `errors` and the tasks of the batches that
 * answered are returned. Only when every batch fails does the lookup reject. ARNs DescribeTasks answers with a
 * `failures[]` entry (`MISSING`: the stopped task aged out between ListTasks and DescribeTasks) are kept in
 * `failures`.
 */
export async function loadServiceTasks(
  ecs: ECSClient,
  target: Target,
  limits: CollectLimits,
  archive?: ArchivedStoppedTasksReader,
  window?: TimeWindow,
): Promise<ServiceTasks> {
  // The archive is read alongside ListTasks; its failure is one more error, never the step's.
  const archived: Promise<readonly Task[] | StepError> =
    archive && window
      ? archive(target, window).catch((error: unknown) => toStepError(error, "dynamodb:Query"))
      : Promise.resolve([]);
  const [stopped, running] = await Promise.all([
    listTaskArns(ecs, target, "STOPPED", limits.maxStoppedTasks),
    listTaskArns(ecs, target, "RUNNING", limits.maxRunningTasks),
  ]);
  const batches = chunk([...stopped.arns, ...running.arns], DESCRIBE_BATCH);
  const answers = await Promise.allSettled(
    batches.map((taskArns) =>
      awsCall("ecs:DescribeTasks", async () => {
        const out = await ecs.send(new DescribeTasksCommand({ cluster: target.clusterArn, tasks: taskArns }));
        // Every task asked about comes back in tasks or failures: an answer with neither is not "no tasks".
        if ((out?.tasks?.length ?? 0) + (out?.failures?.length ?? 0) === 0)
          throw new EmptyAnswerError(
            `DescribeTasks answered with neither tasks nor failures for ${taskArns.length} task(s) ListTasks had listed: an empty or malformed answer, so what these tasks are doing is unknown`,
          );
        return out;
      }),
    ),
  );
  const rejected = answers.flatMap((a) => (a.status === "rejected" ? [a.reason as unknown] : []));
  if (batches.length > 0 && rejected.length === batches.length) throw rejected[0];

  const errors: StepError[] = rejected.map((reason) => toStepError(reason, "ecs:DescribeTasks"));
  const described = answers.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
  const failures: TaskFailure[] = described
    .flatMap((r) => r.failures ?? [])
    .map((f) => compact({ arn: f.arn ?? "", reason: f.reason ?? "", detail: f.detail }));

  const tasks = described.flatMap((r) => r.tasks ?? []).map(toTask);
  const stoppedSet = new Set(stopped.arns);
  const fromArchive = await archived;
  if (!Array.isArray(fromArchive)) errors.push(fromArchive as StepError);
  return {
    stopped: mergeStoppedTasks(
      tasks.filter((t) => stoppedSet.has(t.taskArn)),
      Array.isArray(fromArchive) ? fromArchive : [],
    ),
    stoppedListed: stopped.arns.length,
    truncated: stopped.truncated,
    running: tasks.filter((t) => !stoppedSet.has(t.taskArn)),
    errors,
    failures,
  };
}

/**
 * Stopped tasks ecs-medic archived from "ECS Task State Change" events (src/store/stopped-tasks.ts), in the snapshot
 * shape with `archived: true`; merged with ListTasks' by task ARN (ListTasks wins), newest first.
 */
export type ArchivedStoppedTasksReader = (target: Target, window: TimeWindow) => Promise<readonly Task[]>;

async function listTaskArns(
  ecs: ECSClient,
  target: Target,
  desiredStatus: DesiredStatus,
  max: number,
): Promise<{ arns: string[]; truncated: boolean }> {
  const { items, truncated } = await awsCall("ecs:ListTasks", () =>
    collectPages(
      paginateListTasks(
        { client: ecs, pageSize: 100 },
        { cluster: target.clusterArn, serviceName: target.service, desiredStatus },
      ),
      (page) => {
        // A real ListTasks answer always has taskArns (empty when there are none): without it, it is not "no tasks".
        if (!Array.isArray(page?.taskArns))
          throw new EmptyAnswerError(
            `ListTasks (${desiredStatus}) answered without a taskArns list: an empty or malformed answer, so whether the service has ${desiredStatus.toLowerCase()} tasks is unknown`,
          );
        return page.taskArns;
      },
      { maxItems: max, maxPages: MAX_LIST_PAGES },
    ),
  );
  return { arns: items, truncated };
}

/**
 * Newest `stoppedAt` first; a task without it (still stopping) falls back to `stoppingAt`, then `createdAt`.
 * The one order for stopped tasks: the lookup sorts with it and the steps rely on it.
 */
export function newestStoppedFirst(a: Task, b: Task): number {
  const time = (t: Task) => t.stoppedAt ?? t.stoppingAt ?? t.createdAt ?? "";
  return time(b).localeCompare(time(a));
}
