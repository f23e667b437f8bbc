// Local development: the same Slack listeners over Socket Mode (no public URL), with the worker run in-process.
// Needs SLACK_APP_TOKEN (xapp-…, connections:write) and SLACK_BOT_TOKEN; AWS credentials from the usual chain.
import { randomBytes } from "node:crypto";
import { App, LogLevel } from "@slack/bolt";
import { createDeps, createSlackClients } from "../app/deps";
import { systemClock } from "../clock";
import { registerListeners } from "../slack/app";
import { loadActionsPolicy } from "../config/actions";
import { loadAccessPolicy } from "../config/access";
import { cachedMembers } from "../slack/access-gate";
import { loadActionKey } from "../slack/credentials";
import { actionRunnerDeps, runActionJob } from "../slack/run-action";
import { runExportJob } from "../slack/run-export";
import { runDiagnoseJob } from "../slack/run-job";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const appToken = process.env.SLACK_APP_TOKEN;
const botToken = process.env.SLACK_BOT_TOKEN;
if (!appToken || !botToken) {
  console.error(
    "npm run dev:slack needs SLACK_APP_TOKEN (xapp-…, with connections:write) and SLACK_BOT_TOKEN (xoxb-…).",
  );
  process.exit(2);
}

const log = (message: string, detail?: Record<string, unknown>) => console.log(message, detail ?? "");
const logger = { debug: log, info: log, warn: log, error: log };
// One Deps for the process: the in-memory store catches duplicates within it; playbooks are loaded once.
const actionKey = (await loadActionKey()) ?? randomBytes(32).toString("hex");
const deps = { ...createDeps({ logger }), slack: await createSlackClients(botToken), actionKey };
deps.playbooks();
const actions = actionRunnerDeps(deps, { actionKey, policy: loadActionsPolicy() });

const app = new App({ authorize: async () => ({ botToken }), appToken, socketMode: true, logLevel: LogLevel.INFO });
registerListeners(app, {
  clock: systemClock,
  log,
  // The access: section of ECS_MEDIC_CONFIG (none → nobody may ask); this process has the bot token, so user groups
  // are decided here (the in-process worker below does not check again).
  access: loadAccessPolicy(),
  members: cachedMembers(deps.slack.web, systemClock),
  // In-process "worker": start the job and return at once, as the async Lambda invoke does.
  actionKey,
  dispatch: async (job) => {
    const run =
      job.kind === "action"
        ? runActionJob(job, actions)
        : job.kind === "export"
          ? runExportJob(job, deps)
          : runDiagnoseJob(job, deps);
    void run.then((outcome) => log("job finished", { jobId: job.jobId, ...outcome }));
  },
});

await app.start();
console.log("ecs-medic is listening over Socket Mode — type /ecs help in Slack");
