import type { ActionJobOutcome, ActionRunnerDeps } from "../slack/run-action";

/** Built once per container: Slack clients, the table, the key, the allow-list. */
let ready: Promise<Omit<ActionRunnerDeps, "logger">> | undefined;

/** Test seam: forget the cached runtime (env changed). */
export function resetActionsForTests(): void {
  ready = undefined;
}

/**
 * The code a job runs, loaded on the first job (import() of chunks: the SDK clients, zod, the YAML policy reader)
 * rather than at import, so a cold start parses it while the first SSM reads are in flight.
 */
const runtimeModules = () =>
  Promise.all([import("../app/deps"), import("../config/actions"), import("../slack/run-action")]);

async function init(): Promise<Omit<ActionRunnerDeps, "logger">> {
  const credentials = await import("../slack/credentials");
  const reads = Promise.all([credentials.loadBotToken(), credentials.loadActionKey()]);
  const [[deps, config, runAction], [token, actionKey]] = await Promise.all([runtimeModules(), reads]);
  const [slack, stores] = await Promise.all([deps.createSlackClients(token), deps.createStores()]);
  if (!actionKey) throw new Error("ECS_MEDIC_ACTION_KEY(_PARAM) is not set: button values cannot be verified");
  const policy = config.loadActionsPolicy();
  return runAction.actionRunnerDeps({ ...deps.createDeps(stores), slack }, { actionKey, policy });
}

/**
 * The `actions` function: the only one whose role may change a service (UpdateService, RegisterScalableTarget).
 * Invoked asynchronously by `slack` for a rollback or emergency-scale click; Lambda may deliver it twice, and the
 * proposal's claim in the table makes the change happen once. A malformed event is logged and dropped.
 */
export const handler = async (event: unknown): Promise<ActionJobOutcome> => {
  const [{ ActionJobSchema }, { jsonLogger }, { runActionJob }] = await Promise.all([
    import("../slack/job"),
    import("../app/logger"),
    import("../slack/run-action"),
  ]);
  const parsed = ActionJobSchema.safeParse(event);
  if (!parsed.success) {
    console.error(JSON.stringify({ message: "malformed action job dropped", issues: parsed.error.issues.slice(0, 5) }));
    return { status: "rejected", reason: "malformed job" };
  }
  ready ??= init().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  const runtime = await ready;
  const logger = jsonLogger((line) => console.log(line), { jobId: parsed.data.jobId, fn: "actions" });
  return runActionJob(parsed.data, { ...runtime, logger });
};
