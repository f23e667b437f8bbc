import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseCliArgs } from "../../src/cli/args";
import { runClassify } from "../../src/cli/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";

/**
 * `ecs-medic classify` says WHY (issue 14): every answer carries the rule that matched or `"rule": "default"`;
 * a default answer is `other` with the text the rules saw and its failure words; `--unmatched` keeps only those.
 */

const playbooks = loadPlaybooks();

async function classify(lines: readonly string[], unmatched = false) {
  let out = "";
  let err = "";
  const code = await runClassify(
    playbooks,
    {
      stdin: Readable.from([`${lines.join("\n")}\n`]),
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    },
    { unmatched },
  );
  const answers = out
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, answers, err };
}

const line = (id: string, field: string, text: string, extra?: Record<string, unknown>) =>
  JSON.stringify({ id, field, text, ...(extra ? { extra } : {}) });

// Real wordings: the ECS developer guide (service event messages, stopped task errors), ECS Exec troubleshooting,
// and an application's DNS failure (Node.js), which no rule covers.
const INPUT = [
  line("steady", "service_event_message", "service payment-api has reached a steady state."),
  line("oom", "container.reason", "OutOfMemoryError: Container killed due to memory usage"),
  line("user", "stoppedReason", "Task stopped by user"),
  line("dns", "log_line", "Error: getaddrinfo ENOTFOUND payment-db.internal"),
  line("missing", "stoppedReason", "MISSING"),
  "not json",
];

describe("ecs-medic classify", () => {
  it("names the rule behind every answer, or default", async () => {
    const { code, answers } = await classify(INPUT);
    expect(code).toBe(0);
    expect(answers.map((a) => [a.id, a.symptom, a.rule])).toEqual([
      ["steady", "normal", "benign-service-events"],
      ["oom", "oom_killed", "oom-killed"],
      ["user", "normal", "benign-user-stop"],
      ["dns", "other", "default"],
      ["missing", "other", "default"],
      [null, "other", "default"],
    ]);
    for (const a of answers) expect(Object.keys(a)).toEqual(expect.arrayContaining(["id", "symptom", "cause", "rule"]));
  });

  it("shows the text and the failure words of a line no rule covered, and only there", async () => {
    const { answers } = await classify(INPUT);
    const byId = new Map(answers.map((a) => [a.id, a]));
    expect(byId.get("dns")).toMatchObject({
      text: "Error: getaddrinfo ENOTFOUND payment-db.internal",
      failureWords: ["error", "enotfound"],
    });
    expect(byId.get("missing")).toMatchObject({ text: "MISSING", failureWords: [] });
    expect(byId.get("oom")).not.toHaveProperty("text");
    expect(byId.get("steady")).not.toHaveProperty("failureWords");
  });

  it("cuts a long unmatched text to 500 characters", async () => {
    const { answers } = await classify([line("long", "stoppedReason", `SomethingNewError: ${"x".repeat(2000)}`)]);
    expect(String(answers[0]!.text).length).toBe(501);
    expect(answers[0]!.failureWords).toEqual(["somethingnewerror"]);
  });

  it("--unmatched prints only the lines no rule covered", async () => {
    const { answers, err } = await classify(INPUT, true);
    expect(answers.map((a) => a.id)).toEqual(["dns", "missing", null]);
    expect(answers.every((a) => a.rule === "default" && a.symptom === "other")).toBe(true);
    expect(err).toMatch(/line 6 is not JSON/);
  });

  it("--unmatched prints nothing when every line is covered", async () => {
    const { answers } = await classify(INPUT.slice(0, 3), true);
    expect(answers).toEqual([]);
  });
});

describe("classify arguments", () => {
  it.each([
    { argv: ["classify"], unmatched: false, playbooks: [] },
    { argv: ["classify", "--unmatched"], unmatched: true, playbooks: [] },
    { argv: ["classify", "--playbooks", "team", "--unmatched"], unmatched: true, playbooks: ["team"] },
  ])("$argv", ({ argv, unmatched, playbooks: dirs }) => {
    expect(parseCliArgs(argv)).toEqual({ command: "classify", playbooks: dirs, unmatched });
  });

  it("refuses a value after --unmatched", () => {
    expect(() => parseCliArgs(["classify", "--unmatched=yes"])).toThrow();
  });
});
