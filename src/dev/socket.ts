// Local development: the same Slack listeners over Socket Mode (no public URL), with the worker run in-process.
// Needs SLACK_APP_TOKEN (xapp-…, connections:write) and SLACK_BOT_TOKEN; AWS credentials from the usual chain.
import { App, LogLevel } from "@slack/bolt";
import { WebClient } from "@slack/web-api";
import { createClients } from "../aws/clients";
import { systemClock } from "../clock";
import { loadPlaybooks } from "../diagnose/load-playbooks";
import { registerListeners } from "../slack/app";
import { runDiagnoseJob } from "../slack/run-job";
import { MemoryIdempotencyStore } from "../store/idempotency";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const appToken = process.env.SLACK_APP_TOKEN;
const botToken = process.env.SLACK_BOT_TOKEN;
if (!appToken || !botToken) {
  console.error(
    "npm run dev:slack needs SLACK_APP_TOKEN (xapp-…, with connections:write) and SLACK_BOT_TOKEN (xoxb-…).",
  );
  process.exit(2);
}

const playbooks = loadPlaybooks();
const store = new MemoryIdempotencyStore();
const slack = new WebClient(botToken);
const log = (message: string, detail?: Record<string, unknown>) => console.log(message, detail ?? "");

const app = new App({ authorize: async () => ({ botToken }), appToken, socketMode: true, logLevel: LogLevel.INFO });
registerListeners(app, {
  clock: systemClock,
  log,
  // In-process "worker": start the job and return at once, as the async Lambda invoke does.
  dispatch: async (job) => {
    void runDiagnoseJob(job, {
      slack,
      store,
      playbooks,
      clock: systemClock,
      createClients,
      region: process.env.AWS_REGION ?? "us-east-1",
      log,
    }).then((outcome) => log("job finished", { jobId: job.jobId, ...outcome }));
  },
});

await app.start();
console.log("ecs-medic is listening over Socket Mode — type /ecs help in Slack");
