import { stoppedTasksEntry } from "../../steps/03-stopped-tasks";
import type { StoppedTasksData } from "../../evidence/schema";
import { outcome, type Step } from "../step";

/**
 * Step 3 — why the service's tasks stopped, and what is running now.
 *
 * Uses the shared task lookup (`ctx.tasks()`: ListTasks STOPPED and RUNNING for the service, paginated and
 * bounded, DescribeTasks in batches of 100). ECS keeps a stopped task listed for only about an hour, so every
 * stopped task still listed is kept, newest `stoppedAt` first (the lookup's order). A DescribeTasks batch that
 * failed while others answered is a step error (`partial`); ARNs DescribeTasks answered with a `failures[]`
 * entry (`MISSING`) are kept in `failures`. Both the task-level `stopCode`/`stoppedReason`
 * and each container's `reason`/`exitCode` are kept: start-up failures (secrets, registry auth, ENI) show in the
 * former, OOM kills and crashes in the latter while the task-level text just says "Essential container in task
 * exited".
 */
export const stoppedTasksStep: Step<"stopped-tasks"> = {
  ...stoppedTasksEntry,
  async collect(ctx) {
    const tasks = await ctx.tasks();
    const data: StoppedTasksData = {
      stopped: [...tasks.stopped],
      stoppedListed: tasks.stoppedListed,
      truncated: tasks.truncated,
      running: [...tasks.running],
      failures: tasks.failures.map((f) => ({ ...f })),
    };
    return outcome(data, tasks.errors);
  },
};
