import type { Context } from "aws-lambda";
import type { JobOutcome } from "../slack/run-job";
import type { Runtime } from "./worker-runtime";

/**
 * The `worker` function, invoked asynchronously by `slack`. Lambda may deliver the same event more than once, so the
 * job id is claimed before anything is posted (./worker-runtime). A malformed event is logged and dropped (retrying
 * cannot fix it).
 *
 * This module is the handler's whole import: the runtime (collectors, SDK clients, playbooks, renderers) is loaded
 * with import() on the first job, at the same time as the SSM reads it needs, so a cold start overlaps parsing that
 * code with the network instead of doing it first.
 */
const runtimeModule = () => import("./worker-runtime");

/** Built once per container: the Slack clients, the store and the parsed playbooks. */
let ready: Promise<Runtime> | undefined;

/** Test seam: forget the cached runtime (env changed). */
export function resetWorkerForTests(): void {
  ready = undefined;
}

export const handler = async (
  event: unknown,
  context?: Pick<Context, "getRemainingTimeInMillis">,
): Promise<JobOutcome> => {
  // Start the runtime (its code and its SSM reads) first: it does not depend on the event.
  ready ??= runtimeModule()
    .then((m) => m.init())
    .catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
  ready.catch(() => undefined); // awaited below; a malformed event must not leave it unhandled
  const [{ WorkerJobSchema }, { tellRequester }] = await Promise.all([
    import("../slack/job"),
    import("../slack/respond"),
  ]);
  const parsed = WorkerJobSchema.safeParse(event);
  if (!parsed.success) {
    console.error(JSON.stringify({ message: "malformed job dropped", issues: parsed.error.issues.slice(0, 5) }));
    return { status: "failed", reason: "malformed job" };
  }
  const job = parsed.data;
  let runtime: Runtime;
  try {
    runtime = await ready;
  } catch (error) {
    // The person who typed the command already saw "Diagnosing…": never leave them in silence. response_url needs no
    // token, so it works even when the bot token is what could not be read. Then fail, so Lambda retries once and a
    // second failure lands in the failed-jobs queue, whose alarm notifies the platform team.
    console.error(JSON.stringify({ message: "worker could not start", jobId: job.jobId, error: errorName(error) }));
    if (job.responseUrl)
      await tellRequester(job.responseUrl, {
        replace_original: false,
        text: `:warning: ecs-medic could not start the diagnosis of ${job.service} (its Slack token or table could not be read). Nothing was run. It will retry once; if no report appears in a minute, ask the platform team to check the worker's logs.`,
      });
    throw error;
  }
  return (await runtimeModule()).runJob(runtime, job, context);
};

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown";
}
