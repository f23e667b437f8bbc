import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { classifyMessage, toMessage, type ClassifyInput } from "../../src/diagnose/classify";
import { loadPlaybooks } from "../../src/diagnose/load-playbooks";
import { MESSAGE_FIELDS, MESSAGE_SYMPTOMS } from "../../src/diagnose/symptoms";
import { seeded } from "../helpers/random";

/** Whatever arrives on stdin, classify answers: it never throws, and no input makes it slow. */

const playbooks = loadPlaybooks();
const classify = (input: ClassifyInput) => classifyMessage(toMessage(input), playbooks);

const ODD = [
  "\u200f", // RTL mark
  "\u202e", // RTL override
  "\u200b", // zero-width space
  "\u200d", // zero-width joiner
  "\ufeff", // BOM
  "\u0000", // NUL
  "\u001b[31m", // ANSI colour
  "🔥",
  "👩‍💻",
  "\ud800", // lone surrogate
  "\udc00",
  "Ｏｕｔ Ｏｆ Ｍｅｍｏｒｙ", // full-width
  "ﬁ",
  "\r\n",
  "\t",
  "’",
  "\\",
  '"',
  "{",
  "}",
  "[",
  "(",
  "$",
  "^",
  "|",
];

function randomText(next: () => number, length: number): string {
  let out = "";
  while (out.length < length) {
    const r = next();
    if (r < 0.15) out += ODD[Math.floor(next() * ODD.length)];
    else if (r < 0.25) out += String.fromCharCode(Math.floor(next() * 0xffff));
    else out += String.fromCharCode(32 + Math.floor(next() * 95));
  }
  return out;
}

function corpusLines(): Record<string, unknown>[] {
  return ["task-messages.jsonl", "service-messages.jsonl"].flatMap((file) =>
    readFileSync(fileURLToPath(new URL(`../fixtures/corpus/${file}`, import.meta.url)), "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

function expectAnswer(input: ClassifyInput): void {
  let result: ReturnType<typeof classify> | undefined;
  expect(() => {
    result = classify(input);
  }).not.toThrow();
  expect(MESSAGE_SYMPTOMS).toContain(result!.symptom);
}

describe("classify never throws", () => {
  it.each(MESSAGE_FIELDS)("on random strings in %s", (field) => {
    // Seeded, so a failure reproduces.
    const next = seeded(field.length * 7919);
    for (let i = 0; i < 60; i += 1) {
      const text = randomText(next, Math.floor(next() * 400));
      expectAnswer({ field, text });
      expectAnswer({
        field,
        text,
        extra: { exitCode: text.slice(0, 3), stopCode: text, reasonCode: text, state: text, reason: text },
      });
    }
  });

  it.each(MESSAGE_FIELDS)("on truncated JSON in %s", (field) => {
    const jsons = corpusLines()
      .map((l) => String(l.text))
      .filter((t) => t.startsWith("{"));
    expect(jsons.length).toBeGreaterThan(5);
    for (const json of jsons) {
      for (const cut of [1, 2, Math.floor(json.length / 3), Math.floor(json.length / 2), json.length - 1]) {
        expectAnswer({ field, text: json.slice(0, cut) });
      }
    }
  });

  it.each(MESSAGE_FIELDS)("on 100 KB inputs in %s", (field) => {
    const big = "CannotPullContainerError: ".concat("x".repeat(100_000), " i/o timeout");
    expectAnswer({ field, text: big });
    expectAnswer({ field, text: "{".repeat(100_000) });
    expectAnswer({ field, text: `{"detail":{"containers":[${'{"exitCode":1},'.repeat(7_000)}{}]}}` });
    expectAnswer({ field, text: "\u0000".repeat(100_000) });
    expectAnswer({ field, text: "🔥".repeat(50_000) });
  });

  it.each(MESSAGE_FIELDS)("on odd unicode in %s", (field) => {
    for (const odd of ODD) {
      expectAnswer({ field, text: odd });
      expectAnswer({ field, text: `OutOfMemoryError${odd}: Container killed due to memory usage` });
      expectAnswer({ field, text: `${odd}Task failed ELB health checks${odd}`, extra: { exitCode: 137 } });
    }
  });

  it.each(MESSAGE_FIELDS)("on odd types and extras in %s", (field) => {
    const texts: unknown[] = [undefined, null, 42, true, { a: 1 }, ["x"], "", " "];
    const extras: unknown[] = [
      undefined,
      null,
      "x",
      1,
      [],
      { exitCode: "abc" },
      { exitCode: Number.NaN },
      { exitCode: 1e308 },
      { stopCode: 5, reasonCode: {} },
    ];
    for (const text of texts) for (const extra of extras) expectAnswer({ field, text, extra } as ClassifyInput);
  });

  it("refuses an unknown field with a TypeError the CLI turns into an error line", () => {
    expect(() => toMessage({ field: "stderr", text: "x" })).toThrow(TypeError);
  });
});

describe("normalisation", () => {
  it("matches through invisible characters, ANSI colours, full-width letters and curly quotes", () => {
    expect(
      classify({
        field: "container.reason",
        text: "Out\u200bOf\u200dMemoryError: Container killed due to memory usage",
      }).symptom,
    ).toBe("oom_killed");
    expect(
      classify({
        field: "log_line",
        text: "\u001b[31mERROR\u001b[0m botocore.exceptions.NoCredentialsError: Unable to locate credentials",
      }),
    ).toMatchObject({
      symptom: "iam_task_role_denied",
      cause: "no_credentials",
    });
    expect(
      classify({ field: "stoppedReason", text: "Ｔａｓｋ ｆａｉｌｅｄ ＥＬＢ ｈｅａｌｔｈ ｃｈｅｃｋｓ" }).symptom,
    ).toBe("elb_health_check_failed");
    expect(
      classify({
        field: "service_event_message",
        text: "service (web) was unable to place a task. Reason: You’ve reached the limit on the number of tasks you can run concurrently",
      }).symptom,
    ).toBe("capacity_unavailable");
  });
});

describe("classify answers pathological input", () => {
  const pathological: Record<string, string> = {
    "a run of one letter": "a".repeat(100_000) + "!",
    "a run of spaces": " ".repeat(100_000) + "x",
    "nested tokens": "CannotPullContainerError: ".repeat(4_000),
    "nested secrets": "unable to retrieve secret from asm: failed to fetch secret ".repeat(2_000),
    "nested brackets": "((((((((((".repeat(10_000),
    "alternating near-misses": "denied: not found: timeout: manifest for ".repeat(3_000),
    "repeated quotes": '\\"'.repeat(50_000),
    "long unbroken token": "x".repeat(8_000) + " is not authorized to perform: " + "s".repeat(8_000),
    "many lines": "Essential container in task exited\n".repeat(3_000),
  };

  // Linear time is the engine's guarantee (pattern.test.ts); how long these take is measured by the benchmark, not
  // asserted here. What must hold: every field answers with a known symptom.
  it.each(Object.entries(pathological))("%s: every field answers", (_name, text) => {
    for (const field of MESSAGE_FIELDS) {
      const result = classify({ field, text, extra: { exitCode: 137, reason: text.slice(0, 1_000) } });
      expect(MESSAGE_SYMPTOMS as readonly string[], `${field}`).toContain(result.symptom);
    }
  });
});

describe("patterns that hang a backtracking engine load and run in linear time", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ecs-medic-robustness-"));
    mkdirSync(join(dir, "symptoms"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    { where: "any", match: { any: ["ok", "(\\w+\\s?)*!$"] } },
    { where: "all", match: { all: "(a|aa)+(b+)+" } },
    { where: "none", match: { any: ["x"], none: ["(x+x+)+y"] } },
  ])("a nested quantifier in $where", ({ match }) => {
    writeFileSync(
      join(dir, "symptoms", "team.yaml"),
      JSON.stringify({
        rules: [
          {
            id: "team-slow",
            symptom: "app_crash",
            fields: ["log_line"],
            match,
            severity: "critical",
            title: "Slow",
            why: "Why it is slow.",
            fix: "Fix it.",
          },
        ],
      }),
    );
    const withRule = loadPlaybooks({ overrides: [dir] });
    // Each of these inputs takes a backtracking engine exponential time in its length; RE2 reads it once.
    for (const text of ["a".repeat(5_000), "x".repeat(5_000), "word ".repeat(1_600)]) {
      expect(classifyMessage({ field: "log_line", text }, withRule).symptom).toBeDefined();
    }
  });
});
