/**
 * The top Slack message fits one phone screen (issue 9): at most ten blocks and 1,400 visible characters — what the
 * preview tool draws under 1,000 px at 390 px wide (measured: 1,320 characters in ten blocks draw 778 px; the
 * layout before issue 9 drew 1,804 characters in eleven blocks as 1,041 px). Pixels cannot be measured in npm test;
 * `npm run preview:slack -- --width 390` prints them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../../src/diagnose/diagnose";
import { loadPlaybooks } from "../../../src/diagnose/load-playbooks";
import type { Diagnosis } from "../../../src/diagnose/types";
import type { Evidence } from "../../../src/evidence/schema";
import { parseEvidence } from "../../../src/evidence/snapshot";
import { diagnosisMessage, diagnosisThread, type SlackMessage } from "../../../src/render/slack";
import { clip } from "../../../src/render/slack/mrkdwn";
import { renderDiagnosisText } from "../../../src/render/terminal/report";

const EXAMPLES = join(__dirname, "../../../examples");
const playbooks = loadPlaybooks();
const names = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();

function example(name: string): { evidence: Evidence; d: Diagnosis } {
  const evidence = parseEvidence(readFileSync(join(EXAMPLES, `${name}.json`), "utf8"), name);
  return { evidence, d: diagnose(evidence, playbooks) };
}
const options = (evidence: Evidence) => ({ region: evidence.target.region, requestedBy: "U04ALICE", evidence });

/** What a reader sees: header, section and context texts and button labels, links and dates as Slack shows them. */
function visible(message: SlackMessage): string {
  const texts: string[] = [];
  for (const b of message.blocks) {
    if (b.type === "header") texts.push(b.text.text);
    if (b.type === "section" && b.text) texts.push(b.text.text);
    if (b.type === "context") for (const e of b.elements) if ("text" in e) texts.push(e.text);
    if (b.type === "actions") for (const e of b.elements) if (e.type === "button") texts.push(e.text.text);
  }
  return texts
    .join("\n")
    .replace(/<!date\^\d+\^[^|>]+\|([^>]+)>/g, "$1")
    .replace(/<[^|>]+\|([^>]+)>/g, "$1");
}

describe("the top message fits a phone screen", () => {
  it.each(names)("%s: at most 10 blocks and 1,400 visible characters", (name) => {
    const { evidence, d } = example(name);
    const message = diagnosisMessage(d, options(evidence));
    expect(message.blocks.length).toBeLessThanOrEqual(10);
    expect([...visible(message)].length).toBeLessThanOrEqual(1400);
  });

  it.each(names)("%s: no rule ids, no word 'effect', no quotes, no check-order list in the top message", (name) => {
    const { evidence, d } = example(name);
    const text = visible(diagnosisMessage(d, options(evidence)));
    for (const f of d.findings) {
      expect(text).not.toContain(f.cause ? `${f.symptom}/${f.cause}` : `\`${f.symptom}\``);
      expect(text).not.toContain(`rule \`${f.rule}\``);
    }
    expect(text).not.toMatch(/\beffects?\b/i);
    expect(text).not.toMatch(/^>/m);
    expect(text).not.toMatch(/Check order:/);
    // Effects are not shown as findings of their own at the top (the suspect change has its own line).
    for (const f of d.findings.filter((x) => x.role === "effect" && x.symptom !== "recent_change"))
      expect(text).not.toContain(f.title);
  });

  it("the primary finding's evidence, and the check order, lead the thread instead", () => {
    const { evidence, d } = example("oom-after-deploy");
    const thread = diagnosisThread(d, evidence, options(evidence)).map(visible).join("\n");
    expect(thread).toMatch(/^> .*`stopped-tasks` 5× EssentialContainerExited/m);
    expect(thread).toContain("Check order in full");
    const top = visible(diagnosisMessage(d, options(evidence)));
    expect(top).toContain(":wrench: *Fix:* Raise the container/task memory");
    expect(top).toMatch(/In the thread: check order :x: 2 :warning: 2 :white_check_mark: 7, 4 more findings/);
  });

  it("a proposal's task count says what it counts, beside the running count", () => {
    const { evidence, d } = example("oom-after-deploy");
    const top = visible(diagnosisMessage(d, options(evidence)));
    expect(top).toContain("payment-api:43: 1 of 3 running");
    expect(top).toContain("all 9 task(s) that failed in the window ran payment-api:43");
    expect(top).not.toMatch(/\d+ of \d+ failing task/);
  });
});

describe("evidence that could not be read lowers the confidence, and every report says so at the top", () => {
  function denied(): { evidence: Evidence; d: Diagnosis; clean: Diagnosis } {
    const { evidence, d: clean } = example("subnet-ip-exhaustion");
    const e = structuredClone(evidence);
    for (const step of e.steps) {
      if (step.id !== "subnets") continue;
      step.status = "error";
      step.data = null;
      step.errors = [
        {
          kind: "access_denied",
          code: "UnauthorizedOperation",
          operation: "ec2:DescribeSubnets",
          message: "You are not authorized to perform this operation.",
          hint: "AccessDenied on ec2:DescribeSubnets — grant it to the role ecs-medic runs as to see subnet free IPs",
        },
      ];
    }
    return { evidence: e, d: diagnose(e, playbooks), clean };
  }
  const line = "Confidence lowered: ec2:DescribeSubnets denied — subnet IPs not checked";

  it("the diagnosis names the denied action and what was not checked, and is less sure", () => {
    const { d, clean } = denied();
    expect(d.unread).toEqual(["ec2:DescribeSubnets denied — subnet IPs not checked"]);
    expect(clean.unread).toBeUndefined();
    expect(d.primary!.confidence).toBeLessThan(clean.primary!.confidence);
  });

  it("Slack: right under the serving line", () => {
    const { evidence, d } = denied();
    const message = diagnosisMessage(d, options(evidence));
    expect(message.blocks[2]?.block_id).toBe("confidence");
    expect(visible(message)).toContain(`:warning: ${line}`);
  });

  it("terminal: in the first lines, before the check order", () => {
    const { d } = denied();
    const text = renderDiagnosisText(d, { color: false, width: 120 });
    const head = text.slice(0, text.indexOf("Check order"));
    expect(head).toContain(`! ${line}`);
    expect(head).toMatch(/^Fix: /m);
  });
});

describe("quotes are cut at a word", () => {
  it("backs up to a space, or to the last / or : of an ARN, never inside a word", () => {
    expect(
      clip("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/shared/payments-db-Qw3rTy-rotated", 60),
    ).toBe("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/…");
    expect(clip("unable to retrieve secret from asm: service call has been retried", 40)).toBe(
      "unable to retrieve secret from asm…",
    );
    expect(clip("short enough", 60)).toBe("short enough");
  });
});
