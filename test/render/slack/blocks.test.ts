import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../../src/diagnose/load-playbooks";
import type { Diagnosis, Finding } from "../../../src/diagnose/types";
import type { Evidence } from "../../../src/evidence/schema";
import { parseEvidence } from "../../../src/evidence/snapshot";
import {
  candidatesMessage,
  CUT_MARKER,
  diagnosisMessage,
  diagnosisThread,
  ecsConsoleUrl,
  enforceLimits,
  errorMessage,
  logStreamUrl,
  notAvailableMessage,
  progressMessage,
  usageMessage,
  violations,
  type KnownBlock,
  type SlackMessage,
} from "../../../src/render/slack";
import { ACTION_IDS } from "../../../src/slack/job";
import { blockText } from "../../../src/slack/limits";

const EXAMPLES = join(__dirname, "../../../examples");
const playbooks = loadPlaybooks();

function example(name: string): { evidence: Evidence; d: Diagnosis } {
  const evidence = parseEvidence(readFileSync(join(EXAMPLES, `${name}.json`), "utf8"), name);
  return { evidence, d: diagnose(evidence, playbooks) };
}

const exampleNames = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();

const options = (evidence: Evidence) => ({ region: evidence.target.region, requestedBy: "U04ALICE", evidence });

/** The preview tool's own checker (plain CommonJS), when the tool is installed next to the project. */
const TOOL_LIMITS = join(__dirname, "../../../../shared/tools/slack-preview/lib/limits.js");
type ToolChecker = (msg: unknown, label: string) => { violations: string[]; notes: string[] };
const toolCheck: ToolChecker | undefined = existsSync(TOOL_LIMITS)
  ? (createRequire(import.meta.url)(TOOL_LIMITS) as { checkMessage: ToolChecker }).checkMessage
  : undefined;

/** Every limit, by our checker and (when present) the preview tool's. */
function expectWithinLimits(message: SlackMessage, label: string): void {
  expect(violations(message), label).toEqual([]);
  if (toolCheck) expect(toolCheck(message, label).violations, label).toEqual([]);
}

/** All text a reader could see in a message: top-level text, block texts, button labels and confirm dialogs. */
function allText(message: SlackMessage): string {
  return [message.text, ...message.blocks.map((b) => `${blockText(b)}\n${JSON.stringify(b)}`)].join("\n");
}

/** What Slack parses as mrkdwn (mentions, links): the top-level text and every mrkdwn text object. */
function mrkdwnTexts(message: SlackMessage): string {
  const texts = [message.text];
  for (const b of message.blocks) {
    if (b.type === "section")
      for (const t of [b.text, ...(b.fields ?? [])]) if (t?.type === "mrkdwn") texts.push(t.text);
    if (b.type === "context") for (const e of b.elements) if (e.type === "mrkdwn") texts.push(e.text);
    if (b.type === "actions")
      for (const e of b.elements)
        if (e.type === "button" && e.confirm?.text.type === "mrkdwn") texts.push(e.confirm.text.text);
  }
  return texts.join("\n");
}

const long = (n: number, c = "a") => c.repeat(n);

function buttons(message: SlackMessage) {
  return message.blocks
    .flatMap((b) => (b.type === "actions" ? b.elements : []))
    .flatMap((e) => (e.type === "button" ? [e] : []));
}

describe("diagnosisMessage and diagnosisThread on every example", () => {
  it.each(exampleNames)("%s respects every Slack limit", (name) => {
    const { evidence, d } = example(name);
    const message = diagnosisMessage(d, options(evidence));
    expectWithinLimits(message, `${name} report`);
    expect(enforceLimits(message).overflow).toEqual([]);
    const thread = diagnosisThread(d, evidence, options(evidence));
    thread.forEach((reply, i) => expectWithinLimits(reply, `${name} reply ${i + 1}`));
    // The thread of the report without the evidence in the options says the same.
    expect(diagnosisThread(d, evidence, { region: evidence.target.region })).toHaveLength(thread.length);
  });

  it.each(exampleNames)(
    "%s: header, serving line, glance, check-order tally, console link, export and re-run; every step in the thread",
    (name) => {
      const { evidence, d } = example(name);
      const message = diagnosisMessage(d, options(evidence));
      const [header, serving, glance] = message.blocks;
      expect(header?.type).toBe("header");
      expect(serving?.block_id).toBe("serving");
      expect(glance?.type).toBe("context");
      const text = allText(message);
      expect(text).toContain(":thread: In the thread: check order");
      const thread = diagnosisThread(d, evidence, options(evidence)).map(allText).join("\n");
      for (const step of d.steps) expect(thread).toContain(`${step.number ?? "+"} ${step.title}`);
      expect(text).toContain(ecsConsoleUrl(evidence.target.region, d.target.cluster, d.target.service));
      const ids = buttons(message).map((b) => b.action_id);
      expect(ids).toContain(ACTION_IDS.export);
      expect(ids).toContain(ACTION_IDS.rerun);
      expect(message.text.length).toBeLessThanOrEqual(300);
    },
  );
});

describe("diagnosisMessage content", () => {
  it("oom-after-deploy: verdict, fix, onset as a date token, rollback button", () => {
    const { evidence, d } = example("oom-after-deploy");
    const message = diagnosisMessage(d, options(evidence));
    const header = message.blocks[0];
    expect(header?.type === "header" && header.text.text).toBe(
      "🟠 payment-api: Container app was killed for using more memory than its limit",
    );
    const text = allText(message);
    expect(text).toContain("*Fix:* Raise the container/task memory");
    expect(text).toContain(
      `<!date^${Date.parse("2026-11-26T09:50:06Z") / 1000}^{time}|09:50 UTC> (10 min before the check)`,
    );
    expect(text).toContain("confidence 85%");

    const rollback = buttons(message).find((b) => b.action_id === ACTION_IDS.rollback);
    expect(rollback?.text.text).toBe("Roll back to payment-api:42");
    expect(rollback?.style).toBe("danger");
    const proposal = d.proposals[0]!;
    expect(JSON.parse(rollback?.value ?? "{}")).toEqual({
      kind: "rollback",
      cluster: "prod",
      service: "payment-api",
      region: "us-east-1",
      expect: proposal.expect,
      change: proposal.change,
      targetDigests: { app: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
    });
    const confirm = rollback?.confirm?.text.text ?? "";
    expect(confirm).toContain("`payment-api` in `prod`");
    expect(confirm).toContain("`payment-api:43` → `payment-api:42` (app sha256:9729dd8da33c…)");
  });

  it('elb-health-check-wrong-path: the configuration cause is shown as "because …"', () => {
    const { evidence, d } = example("elb-health-check-wrong-path");
    const text = allText(diagnosisMessage(d, options(evidence)));
    expect(text).toContain(":link: *Because:* health-check path /health returns 404 on payment-api-tg");
  });

  it("saturated-healthy: the scale button says from → to and carries the change", () => {
    const { evidence, d } = example("saturated-healthy");
    const scale = buttons(diagnosisMessage(d, options(evidence))).find((b) => b.action_id === ACTION_IDS.scale);
    expect(scale?.text.text).toBe("Scale 6 → 9 tasks");
    const value = JSON.parse(scale?.value ?? "{}") as {
      kind: string;
      change: { desiredCount: number };
      expect: { desiredCount: number };
    };
    expect(value).toMatchObject({ kind: "scale", expect: { desiredCount: 6 }, change: { desiredCount: 9 } });
    expect(scale?.confirm?.text.text).toContain("desired count 6 → 9");
  });

  it("healthy: no action buttons except export and re-run", () => {
    const { evidence, d } = example("healthy");
    const message = diagnosisMessage(d, options(evidence));
    expect(buttons(message).map((b) => b.action_id)).toEqual([ACTION_IDS.export, ACTION_IDS.rerun]);
    const rerun = buttons(message).find((b) => b.action_id === ACTION_IDS.rerun);
    expect(JSON.parse(rerun?.value ?? "{}")).toEqual({
      kind: "rerun",
      cluster: "prod",
      service: "payment-api",
      region: "us-east-1",
      since: "1h",
    });
  });

  it("cuts a long headline to 150 characters with …", () => {
    const { evidence, d } = example("oom-after-deploy");
    const message = diagnosisMessage({ ...d, headline: "Containers are killed ".repeat(20) }, options(evidence));
    const header = message.blocks[0];
    const text = header?.type === "header" ? header.text.text : "";
    expect([...text].length).toBeLessThanOrEqual(150);
    expect(text.endsWith("…")).toBe(true);
    expectWithinLimits(message, "long headline");
  });
});

describe("mrkdwn injection", () => {
  const attack = "<!channel> <https://evil.example/login|AWS console> <@U0ADMIN> & ```";

  function poisoned(): { evidence: Evidence; d: Diagnosis } {
    const { evidence, d } = example("oom-after-deploy");
    const poison = (f: Finding): Finding => ({
      ...f,
      title: `${f.title} ${attack}`,
      detail: `${f.detail} ${attack}`,
      fix: `${f.fix} ${attack}`,
      evidence: f.evidence.map((r) => ({ ...r, text: `${r.text ?? ""} ${attack}` })),
    });
    const e = structuredClone(evidence);
    for (const step of e.steps) {
      if (step.id !== "task-logs" || !step.data) continue;
      for (const s of step.data.streams)
        s.lines.push({ timestamp: "2026-11-26T09:59:00Z", message: `ERROR ${attack}` });
      for (const p of step.data.patternSearches)
        p.matches.push({ timestamp: "2026-11-26T09:59:00Z", message: `ERROR ${attack}`, logStream: "x" });
    }
    return {
      evidence: e,
      d: {
        ...d,
        headline: `${d.headline} ${attack}`,
        findings: d.findings.map(poison),
        steps: d.steps.map((s) => ({ ...s, summary: `${s.summary} ${attack}` })),
        notes: [attack],
      },
    };
  }

  it("escapes evidence text everywhere: no broadcast, no disguised link, no mention", () => {
    const { evidence, d } = poisoned();
    const messages = [diagnosisMessage(d, options(evidence)), ...diagnosisThread(d, evidence, options(evidence))];
    for (const m of messages) {
      const text = mrkdwnTexts(m);
      expect(text).not.toContain("<!channel>");
      expect(text).not.toContain("<https://evil.example");
      expect(text).not.toContain("<@U0ADMIN>");
      expectWithinLimits(m, "poisoned");
    }
    const all = messages.map(mrkdwnTexts).join("\n");
    expect(all).toContain("&lt;!channel&gt;");
    expect(all).toContain("&amp;");
  });

  it("ARNs become inline code, so `…:secret:prod/…` cannot draw the :secret: emoji", () => {
    const { evidence, d } = example("secret-access-denied");
    const text = [diagnosisMessage(d, options(evidence)), ...diagnosisThread(d, evidence, options(evidence))]
      .map(mrkdwnTexts)
      .join("\n");
    expect(text).toContain("`arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/shared/payments-db-Qw3rTy`");
    const outsideCode = text.replace(/`[^`\n]*`/g, "");
    expect(outsideCode).not.toMatch(/:secret:/);
  });

  it("escapes the other messages' inputs too", () => {
    for (const m of [
      errorMessage("Cannot diagnose <!here>", "AccessDenied <https://x.example|y>", "grant <@U1>"),
      usageMessage('unknown command "<!channel>"'),
      candidatesMessage("<!channel>", [{ cluster: "prod", service: "<!channel>" }]),
      progressMessage({
        service: "<!everyone>",
        done: 1,
        total: 11,
        finished: [{ title: "<!here>", status: "collected" }],
      }),
      notAvailableMessage("<!channel>"),
    ]) {
      expect(mrkdwnTexts(m)).not.toMatch(/<!(here|channel|everyone)>|<https:|<@U1>/);
      expectWithinLimits(m, m.text);
    }
  });
});

describe("stress: 100 findings and 50 KB of log lines", () => {
  function stressed(): { evidence: Evidence; d: Diagnosis } {
    const { evidence, d } = example("oom-after-deploy");
    const template = d.findings[0]!;
    const findings: Finding[] = Array.from({ length: 100 }, (_, i) => ({
      ...template,
      id: i === 0 ? template.id : `other:stress-${i}`,
      severity: i < 10 ? "critical" : "warn",
      // Titles are not clipped by the renderer: the primary one only fits through enforceLimits.
      title:
        i === 0
          ? `Stress finding 0 ${"with a very long title ".repeat(200)}END-OF-PRIMARY-TITLE`
          : `Stress finding ${i} ${"with a long title ".repeat(8)}`,
      detail:
        i === 0
          ? `${"The primary finding's very long explanation. ".repeat(150)}END-OF-PRIMARY-DETAIL`
          : "why ".repeat(120),
      fix: "fix ".repeat(100),
      evidence: Array.from({ length: 20 }, (_, j) => ({
        step: "stopped-tasks" as const,
        kind: "task" as const,
        id: `task-${i}-${j}`,
        text: `reason ${j} ${"x".repeat(300)}`,
      })),
    }));
    const e = structuredClone(evidence);
    for (const step of e.steps) {
      if (step.id !== "task-logs" || !step.data) continue;
      const lines = Array.from({ length: 500 }, (_, j) => ({
        timestamp: "2026-11-26T09:58:00Z",
        message: `line ${j} ${"y".repeat(90)}`,
      }));
      lines.push({ timestamp: "2026-11-26T09:58:30Z", message: "z".repeat(5000) });
      step.data.streams = step.data.streams.map((s, k) => ({
        ...s,
        lines: lines.map((l) => ({ ...l, message: `${k} ${l.message}` })),
      }));
      const first = step.data.patternSearches[0]!;
      first.matches = Array.from({ length: 300 }, (_, j) => ({
        timestamp: "2026-11-26T09:58:00Z",
        message: `ERROR ${j} ${"w".repeat(150)}`,
        logStream: "ecs/app/x",
      }));
    }
    const totalLog = JSON.stringify(e.steps.find((s) => s.id === "task-logs")).length;
    expect(totalLog).toBeGreaterThan(50_000);
    return {
      evidence: e,
      d: { ...d, findings, notes: Array.from({ length: 40 }, (_, i) => `note ${i} ${"n".repeat(200)}`) },
    };
  }

  it("report and thread stay within every limit; what was cut is in the thread", () => {
    const { evidence, d } = stressed();
    const message = diagnosisMessage(d, options(evidence));
    expectWithinLimits(message, "stress report");
    // The top message gives the primary finding as its header (cut with …) and its fix; the rest is in the thread.
    expect(allText(message)).toContain(":wrench: *Fix:* fix fix");
    expect(allText(message)).not.toContain("Stress finding 1 ");
    expect(buttons(message).map((b) => b.action_id)).toContain(ACTION_IDS.rollback);

    const thread = diagnosisThread(d, evidence, options(evidence));
    thread.forEach((reply, i) => expectWithinLimits(reply, `stress reply ${i + 1}`));
    const threadText = thread.map(allText).join("\n");
    expect(threadText).toContain("END-OF-PRIMARY-TITLE");
    expect(threadText).toContain("END-OF-PRIMARY-DETAIL");
    // The report shows the primary finding; every other one is in the thread.
    for (let i = 1; i < 100; i++) expect(threadText).toContain(`Stress finding ${i} `);
    expect(threadText).toContain("note 39");
  });
});

describe("enforceLimits", () => {
  it("cuts a long section with the marker and hands the full text back as overflow chunks ≤ 3000", () => {
    const full = Array.from({ length: 80 }, (_, i) => `line ${i} ${long(60)}`).join("\n");
    const { message, overflow } = enforceLimits({
      text: "t",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: full } }],
    });
    expect(violations(message)).toEqual([]);
    expect(blockText(message.blocks[0]!)).toContain(CUT_MARKER);
    expect(overflow.join("\n")).toBe(full);
    for (const o of overflow) expect([...o].length).toBeLessThanOrEqual(3000);
  });

  it("closes a code block it cuts through, in the message and in each overflow chunk", () => {
    const full = `\`\`\`${Array.from({ length: 100 }, (_, i) => `log ${i} ${long(50)}`).join("\n")}\`\`\``;
    const { message, overflow } = enforceLimits({
      text: "t",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: full } }],
    });
    const kept = blockText(message.blocks[0]!);
    expect((kept.match(/```/g) ?? []).length % 2).toBe(0);
    for (const o of overflow) expect((o.match(/```/g) ?? []).length % 2).toBe(0);
  });

  it("keeps 50 blocks, sparing the header and the buttons", () => {
    const blocks: KnownBlock[] = [
      { type: "header", text: { type: "plain_text", text: "h" } },
      ...Array.from({ length: 70 }, (_, i): KnownBlock => ({
        type: "section",
        block_id: `s${i}`,
        text: { type: "mrkdwn", text: `section ${i}` },
      })),
      { type: "actions", elements: [{ type: "button", action_id: "a", text: { type: "plain_text", text: "Go" } }] },
    ];
    const { message, overflow } = enforceLimits({ text: "t", blocks });
    expect(message.blocks).toHaveLength(50);
    expect(message.blocks[0]?.type).toBe("header");
    expect(message.blocks.at(-1)?.type).toBe("actions");
    expect(overflow.join("\n")).toContain("section 69");
    expect(violations(message)).toEqual([]);
  });

  it("fixes fields, context elements, buttons, confirm dialogs, ids and empty text", () => {
    const button = (i: number) => ({
      type: "button" as const,
      action_id: i === 0 ? long(300) : "same",
      text: { type: "plain_text" as const, text: long(100, "b") },
      value: "v",
      confirm: {
        title: { type: "plain_text" as const, text: long(120) },
        text: { type: "mrkdwn" as const, text: long(400) },
        confirm: { type: "plain_text" as const, text: long(40) },
        deny: { type: "plain_text" as const, text: "No" },
      },
    });
    const { message, overflow } = enforceLimits({
      text: long(50_000),
      blocks: [
        { type: "header", text: { type: "plain_text", text: long(200) } },
        {
          type: "section",
          fields: Array.from({ length: 12 }, (_, i) => ({
            type: "mrkdwn" as const,
            text: i === 0 ? long(2500) : `f${i}`,
          })),
        },
        {
          type: "context",
          elements: Array.from({ length: 14 }, (_, i) => ({ type: "mrkdwn" as const, text: `c${i}` })),
        },
        { type: "actions", block_id: "x", elements: Array.from({ length: 30 }, (_, i) => button(i)) },
        {
          type: "actions",
          block_id: "x",
          elements: [
            { type: "button", action_id: "big", text: { type: "plain_text", text: "Big" }, value: long(2500) },
          ],
        },
        { type: "section", text: { type: "mrkdwn", text: "  " } },
      ],
    });
    expect(violations(message)).toEqual([]);
    if (toolCheck) expect(toolCheck(message, "fixed").violations).toEqual([]);
    expect(overflow.join("\n")).toContain("f11");
    expect(overflow.join("\n")).toContain('"Big" button was left out');
    const ctx = message.blocks.find((b) => b.type === "context");
    expect(ctx?.type === "context" && blockText(ctx)).toContain("c13");
    expect(buttons(message)).toHaveLength(30);
  });

  it("is idempotent: a message that fits comes back unchanged, with no overflow", () => {
    const { evidence, d } = example("oom-after-deploy");
    const once = diagnosisMessage(d, options(evidence));
    const twice = enforceLimits(once);
    expect(twice.overflow).toEqual([]);
    expect(twice.message).toEqual(once);
  });
});

describe("the other messages", () => {
  it("progressMessage: count, finished steps with their status, requester", () => {
    const m = progressMessage({
      service: "payment-api",
      cluster: "prod",
      done: 3,
      total: 11,
      finished: [
        { title: "Service events", status: "collected" },
        { title: "Deployment", status: "partial" },
        { title: "Stopped tasks", status: "error" },
      ],
      requestedBy: "U04ALICE",
    });
    expect(m.text).toBe("Diagnosing payment-api in prod — 3/11");
    const text = m.blocks.map(blockText).join("\n");
    expect(text).toContain("*3/11*");
    expect(text).toContain(":white_check_mark: Service events");
    expect(text).toContain(":warning: Deployment (partly)");
    expect(text).toContain("Stopped tasks (could not read)");
    expect(text).toContain("<@U04ALICE>");
    expectWithinLimits(m, "progress");
    expectWithinLimits(progressMessage({ service: "payment-api", done: 0, total: 11, finished: [] }), "progress 0");
  });

  it("candidatesMessage: one line per candidate with the exact command", () => {
    const m = candidatesMessage("payment-api", [
      { cluster: "prod", service: "payment-api" },
      { cluster: "staging", service: "payment-api" },
    ]);
    const text = m.blocks.map(blockText).join("\n");
    expect(text).toContain("`/ecs diagnose payment-api --cluster prod`");
    expect(text).toContain("`/ecs diagnose payment-api --cluster staging`");
    expectWithinLimits(m, "candidates");
    const many = candidatesMessage(
      "api",
      Array.from({ length: 300 }, (_, i) => ({ cluster: `cluster-${i}`, service: "api" })),
    );
    expectWithinLimits(many, "300 candidates");
  });

  it("errorMessage, usageMessage, notAvailableMessage say what happened and what to do", () => {
    const e = errorMessage(
      "Cannot diagnose payment-api",
      "AccessDeniedException: not authorized",
      "grant ecs:DescribeServices",
    );
    expect(e.blocks.map(blockText).join("\n")).toContain(":bulb: grant ecs:DescribeServices");
    expect(usageMessage('unknown command "deploy"').blocks.map(blockText).join("\n")).toMatch(
      /unknown command "deploy"[\s\S]*\/ecs diagnose <service>/,
    );
    expect(usageMessage().blocks.map(blockText).join("\n")).not.toContain(":warning:");
    expect(notAvailableMessage("Roll back").blocks.map(blockText).join("\n")).toContain("Nothing was changed");
    for (const m of [
      e,
      usageMessage(),
      usageMessage(long(5000)),
      notAvailableMessage("Roll back"),
      errorMessage(long(4000), long(9000)),
    ])
      expectWithinLimits(m, m.text.slice(0, 40));
  });
});

describe("a step that could not look", () => {
  it("the report marks it, and the thread names the failed read and what to grant", () => {
    const { evidence } = example("oom-after-deploy");
    const e = structuredClone(evidence);
    for (const step of e.steps) {
      if (step.id !== "task-logs") continue;
      step.status = "error";
      step.data = null;
      step.errors = [
        {
          kind: "access_denied",
          code: "AccessDeniedException",
          operation: "logs:GetLogEvents",
          message:
            "User: arn:aws:sts::123456789012:assumed-role/ecs-medic/worker is not authorized to perform: logs:GetLogEvents",
          hint: "grant logs:GetLogEvents on the service's log group to see the last log lines",
        },
      ];
    }
    const d = diagnose(e, playbooks);
    const step = d.steps.find((s) => s.step === "task-logs");
    expect(step?.status).toBe("error");
    const report = diagnosisMessage(d, options(e));
    expect(mrkdwnTexts(report)).toContain(
      ":warning: Confidence lowered: logs:GetLogEvents denied — task logs not checked",
    );
    const thread = diagnosisThread(d, e, options(e));
    expect(thread.map(mrkdwnTexts).join("\n")).toContain(":grey_question: *5 Task logs*");
    thread.forEach((reply, i) => expectWithinLimits(reply, `denied reply ${i + 1}`));
    const text = thread.map(mrkdwnTexts).join("\n");
    expect(text).toContain(
      "`logs:GetLogEvents` AccessDeniedException — grant logs:GetLogEvents on the service's log group",
    );
  });
});

describe("links", () => {
  it("ECS console and CloudWatch stream URLs", () => {
    expect(ecsConsoleUrl("us-east-1", "prod", "payment-api")).toBe(
      "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/payment-api/health?region=us-east-1",
    );
    expect(logStreamUrl("us-east-1", "/ecs/payment-api", "ecs/app/abc")).toBe(
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fpayment-api/log-events/ecs$252Fapp$252Fabc",
    );
  });

  it("the thread links each log excerpt to its CloudWatch stream", () => {
    const { evidence, d } = example("oom-after-deploy");
    const text = diagnosisThread(d, evidence, options(evidence)).map(allText).join("\n");
    expect(text).toContain("*Last log lines* of stopped task `b9987ea3`");
    expect(text).toContain(logStreamUrl("us-east-1", "/ecs/payment-api", "ecs/app/b9987ea3f2a56aeae926ad21175b24c6"));
  });
});
