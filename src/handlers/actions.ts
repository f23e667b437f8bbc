import { createDeps, createSlackClients, createStores, jsonLogger } from "../app/deps";
import { loadActionsPolicy, type ActionsPolicy } from "../config/actions";
import { loadActionKey, loadBotToken } from "../slack/credentials";
import { ActionJobSchema } from "../slack/job";
import { actionRunnerDeps, runActionJob, type ActionJobOutcome, type ActionRunnerDeps } from "../slack/run-action";

/** Built once per container: Slack clients, the table, the key, the allow-list. */
let ready: Promise<Omit<ActionRunnerDeps, "logger">> | undefined;

/** Test seam: forget the cached runtime (env changed). */
export function resetActionsForTests(): void {
  ready = undefined;
}

async function init(): Promise<Omit<ActionRunnerDeps, "logger">> {
  const [slack, stores, actionKey] = await Promise.all([
    loadBotToken().then((token) => createSlackClients(token)),
    createStores(),
    loadActionKey(),
  ]);
  if (!actionKey) throw new Error("ECS_MEDIC_ACTION_KEY(_PARAM) is not set: button values cannot be verified");
  const policy: ActionsPolicy = loadActionsPolicy();
  return actionRunnerDeps({ ...createDeps(stores), slack }, { actionKey, policy });
}

/**
 * The `actions` function: the only one whose role may change a service (UpdateService, RegisterScalableTarget).
 * Invoked asynchronously by `slack` for a rollback or emergency-scale click; Lambda may deliver it twice, and the
 * proposal's claim in the table makes the change happen once. A malformed event is logged and dropped.
 */
export const handler = async (event: unknown): Promise<ActionJobOutcome> => {
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
