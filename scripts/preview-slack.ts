/**
 * `npm run preview:slack [-- --out DIR] [--only NAME] [--width 390] [--confirms] [--refresh-docs]`: renders the Slack
 * report and its thread for every example in examples/ to JSON and, through the slack-preview tool, to PNG pictures
 * in DIR (a temporary folder by default), so the messages can be looked at without a Slack workspace. It prints each
 * top message's height in pixels. The tracked pictures in docs/img/ change only with `--refresh-docs` (the
 * oom-after-deploy pictures; at `--width 390` as `…-390.png`).
 *
 * The preview tool is found at ../shared/tools/slack-preview/preview from the project root, or wherever the
 * SLACK_PREVIEW environment variable says.
 *
 * Exit 0 when everything was written (or the preview tool cannot run here: the JSON is still written and the reason
 * printed); 1 when a message breaks a Slack limit or the tool fails otherwise.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { diagnose } from "../src/diagnose/diagnose";
import { loadPlaybooks } from "../src/diagnose/load-playbooks";
import { parseEvidence } from "../src/evidence/snapshot";
import { proposalId } from "../src/actions/proposal-id";
import type { PlannedAction } from "../src/actions/types";
import { diagnosisMessage, diagnosisThread, violations, type SlackMessage } from "../src/render/slack";
import {
  actionReplyMessage,
  actionThreadMessage,
  followUpMessage,
  reportAfterAction,
} from "../src/render/slack/actions";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// The preview tool ships beside the project (../shared, found from the project root), or wherever SLACK_PREVIEW says.
const tool = process.env.SLACK_PREVIEW ?? join(root, "../shared/tools/slack-preview/preview");
const DOCS_EXAMPLE = "oom-after-deploy";
const REQUESTER = "U04ALICE";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const outDir = resolve(arg("--out") ?? join(tmpdir(), "ecs-medic-slack-preview"));
const only = arg("--only");
const confirms = process.argv.includes("--confirms");
const refreshDocs = process.argv.includes("--refresh-docs");
/** Picture width in CSS pixels (390: a phone); the tool's default is 720. */
const width = arg("--width");
mkdirSync(outDir, { recursive: true });

/** Slack shows the bot's name and icon above each message; the preview tool reads them from the payload. */
const asBot = (m: SlackMessage) => ({ username: "ecs-medic", icon_emoji: ":ambulance:", ...m });

const playbooks = loadPlaybooks();
const examples = readdirSync(join(root, "examples"))
  .filter((f) => f.endsWith(".json") && (!only || f === `${only}.json`))
  .sort();
if (examples.length === 0) {
  console.error(`preview-slack: no example${only ? ` named ${only}` : ""} in examples/`);
  process.exit(1);
}

let failed = false;
let toolMissing: string | undefined;
/** Each example's top message height in CSS pixels (the picture is drawn at scale 1). */
const heights: [string, number][] = [];

/** A PNG's height from its IHDR chunk; undefined when the file is not a PNG. */
function pngHeight(file: string): number | undefined {
  const head = readFileSync(file).subarray(0, 24);
  return head.toString("latin1", 12, 16) === "IHDR" ? head.readUInt32BE(20) : undefined;
}
for (const file of examples) {
  const name = basename(file, ".json");
  const evidence = parseEvidence(readFileSync(join(root, "examples", file), "utf8"), file);
  const d = diagnose(evidence, playbooks);
  const options = { region: evidence.target.region, requestedBy: REQUESTER, evidence };
  const message = diagnosisMessage(d, options);
  const thread = diagnosisThread(d, evidence, options);

  for (const [label, m] of [["report", message], ...thread.map((t, i) => [`reply ${i + 1}`, t] as const)] as const) {
    for (const v of violations(m)) {
      failed = true;
      console.error(`preview-slack: ${name} ${label}: ${v}`);
    }
  }

  const messageFile = join(outDir, `${name}.json`);
  const threadFile = join(outDir, `${name}-thread.jsonl`);
  writeFileSync(messageFile, `${JSON.stringify(asBot(message), null, 2)}\n`);
  writeFileSync(threadFile, [message, ...thread].map((m) => JSON.stringify(asBot(m))).join("\n") + "\n");
  console.log(
    `${name}: ${message.blocks.length} blocks, ${thread.length} thread repl${thread.length === 1 ? "y" : "ies"} → ${messageFile}`,
  );

  // What the channel shows once a proposal's button is pressed: the report marked with who acted, the thread's
  // outcome and follow-up; and the private replies to a refused and to a stale click.
  const pictures: (readonly [string, string])[] = [
    [messageFile, join(outDir, `${name}.png`)],
    [threadFile, join(outDir, `${name}-thread.png`)],
  ];
  const proposal = d.proposals[0];
  if (proposal) {
    const action: PlannedAction = { ...proposal, region: evidence.target.region };
    const before = {
      taskDefinition: proposal.expect.taskDefinition ?? "?",
      desiredCount: proposal.expect.desiredCount,
    };
    const after = {
      taskDefinition: proposal.change.taskDefinition ?? before.taskDefinition,
      desiredCount: proposal.change.desiredCount ?? before.desiredCount,
    };
    const done = { status: "done" as const, proposalId: proposalId(action), before, after, notes: [] };
    const acted = [
      reportAfterAction(message.blocks as unknown as Record<string, unknown>[], action, REQUESTER, d.at),
      actionThreadMessage(action, done, REQUESTER),
      followUpMessage(action, {
        state: "completed",
        detail: `${after.desiredCount}/${after.desiredCount} running on ${after.taskDefinition.split("/").pop()}`,
      }),
    ];
    const replies = [
      actionReplyMessage(action, {
        status: "refused",
        proposalId: done.proposalId,
        reason: `only <@${REQUESTER}>, <!subteam^S0ONCALL> may roll back or scale ${action.service} in ${action.cluster} — ask one of them`,
      }),
      actionReplyMessage(
        action,
        {
          status: "stale",
          proposalId: done.proposalId,
          reason: `${action.service} changed since the report: its desired count is now ${before.desiredCount + 2} (the report saw ${before.desiredCount})`,
          before,
        },
        { value: "{}", actionId: "ecs_medic_rerun" },
      ),
    ];
    const actedFile = join(outDir, `${name}-after-${proposal.kind}.jsonl`);
    const repliesFile = join(outDir, `${name}-${proposal.kind}-replies.jsonl`);
    writeFileSync(actedFile, acted.map((m) => JSON.stringify(asBot(m))).join("\n") + "\n");
    writeFileSync(repliesFile, replies.map((m) => JSON.stringify(asBot(m))).join("\n") + "\n");
    pictures.push([actedFile, join(outDir, `${name}-after-${proposal.kind}.png`)]);
    pictures.push([repliesFile, join(outDir, `${name}-${proposal.kind}-replies.png`)]);
  }

  if (toolMissing) continue;
  // The example snapshots end at 10:00 UTC; drawing in UTC at that time makes the date tokens read as in an incident.
  const time = `${Number(d.at.slice(11, 13)) % 12 || 12}:${d.at.slice(14, 16)} ${Number(d.at.slice(11, 13)) < 12 ? "AM" : "PM"}`;
  for (const [input, png] of pictures) {
    const run = spawnSync(
      tool,
      [
        input,
        png,
        "--time",
        time,
        "--names",
        `${REQUESTER}=alice,S0ONCALL=payments-oncall`,
        ...(width ? ["--width", width] : []),
        ...(confirms ? ["--confirms"] : []),
      ],
      {
        encoding: "utf8",
        env: { ...process.env, TZ: "UTC" },
      },
    );
    if (run.error || run.status === 2) {
      toolMissing = run.error ? `${tool}: ${run.error.message}` : run.stderr.trim().split("\n").slice(-3).join("\n");
      break;
    }
    if (run.status !== 0) {
      failed = true;
      console.error(`preview-slack: ${basename(input)}: slack-preview exited ${run.status}\n${run.stderr.trim()}`);
      continue;
    }
    const height = pngHeight(png);
    console.log(`  picture ${png}${height !== undefined ? ` (${height} px tall)` : ""}`);
    if (png === pictures[0]![1] && height !== undefined) heights.push([name, height]);
    if (refreshDocs && name === DOCS_EXAMPLE) {
      const docs = join(root, "docs", "img");
      mkdirSync(docs, { recursive: true });
      const suffix = width && width !== "720" ? `-${width}` : "";
      copyFileSync(png, join(docs, `slack-${basename(png, ".png")}${suffix}.png`));
    }
  }
}

if (toolMissing) {
  console.log(
    `preview-slack: the JSON is written to ${outDir}, but no pictures: the preview tool could not run.\n${toolMissing}`,
  );
  if (!existsSync(tool)) console.log(`(set SLACK_PREVIEW to the slack-preview script's path)`);
} else {
  for (const [name, height] of heights) console.log(`top message ${name}: ${height} px at width ${width ?? "720"}`);
  if (!failed)
    console.log(`preview-slack: pictures in ${outDir}${refreshDocs ? `; ${DOCS_EXAMPLE} also in docs/img/` : ""}`);
}
process.exit(failed ? 1 : 0);
