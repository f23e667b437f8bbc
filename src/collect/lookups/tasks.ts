import { DescribeTasksCommand, paginateListTasks, type DesiredStatus, type ECSClient } from "@aws-sdk/client-ecs";
import { awsCall, chunk } from "../../aws/aws-call";
import type { Task, Target } from "../../evidence/schema";
import { toTask } from "../convert";
import type { CollectLimits, ServiceTasks } from "../step";

/** DescribeTasks accepts at most 100 task ARNs per call. */
const DESCRIBE_BATCH = 100;

/**
 * Lists the service's stopped and running tasks (both paginated, bounded) and describes all of them together in
 * batches of 100, so a 500-task service costs 5 DescribeTasks calls. ListTasks returns stopped tasks in no
 * documented order, so they are sorted by `stoppedAt`, newest first, after describing.
 */
export async function loadServiceTasks(ecs: ECSClient, target: Target, limits: CollectLimits): Promise<ServiceTasks> {
  const [stopped, running] = await Promise.all([
    listTaskArns(ecs, target, "STOPPED", limits.maxStoppedTasks),
    listTaskArns(ecs, target, "RUNNING", limits.maxRunningTasks),
  ]);
  const batches = chunk([...stopped.arns, ...running.arns], DESCRIBE_BATCH);
  const described = (
    await Promise.all(
      batches.map((taskArns) =>
        awsCall("ecs:DescribeTasks", () => ecs.send(new DescribeTasksCommand({ cluster: target.clusterArn, tasks: taskArns }))),
      ),
    )
  ).flatMap((r) => r.tasks ?? []);

  const tasks = described.map(toTask);
  const stoppedSet = new Set(stopped.arns);
  return {
    stopped: tasks.filter((t) => stoppedSet.has(t.taskArn)).sort(newestStoppedFirst),
    stoppedListed: stopped.listed,
    truncated: stopped.truncated,
    running: tasks.filter((t) => !stoppedSet.has(t.taskArn)),
  };
}

async function listTaskArns(
  ecs: ECSClient,
  target: Target,
  desiredStatus: DesiredStatus,
  max: number,
): Promise<{ arns: string[]; listed: number; truncated: boolean }> {
  const arns: string[] = [];
  let truncated = false;
  await awsCall("ecs:ListTasks", async () => {
    const pages = paginateListTasks(
      { client: ecs, pageSize: 100 },
      { cluster: target.clusterArn, serviceName: target.service, desiredStatus },
    );
    for await (const page of pages) {
      for (const arn of page.taskArns ?? []) {
        if (arns.length >= max) {
          truncated = true;
          return;
        }
        arns.push(arn);
      }
    }
  });
  return { arns, listed: arns.length, truncated };
}

function newestStoppedFirst(a: Task, b: Task): number {
  return (b.stoppedAt ?? b.stoppingAt ?? "").localeCompare(a.stoppedAt ?? a.stoppingAt ?? "");
}
